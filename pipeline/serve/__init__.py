"""The web service: FastAPI app scoring uploaded statutes, and the web page at /."""
