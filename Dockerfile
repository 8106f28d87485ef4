# provrisk's web service: `provrisk serve` with the shipped model on port 8000, as a non-root user.
#   docker build -t provrisk .
#   docker run --rm -p 127.0.0.1:8000:8000 provrisk
# DEPLOYMENT.md has the settings, a reverse proxy in front and sizing.
FROM python:3.11-slim

# tini runs as PID 1: it passes SIGTERM on to the server and reaps any process left without a parent,
# which a Python PID 1 would leave as zombies.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 provrisk \
    && useradd --system --uid 10001 --gid provrisk --create-home --shell /usr/sbin/nologin provrisk

# Nothing is downloaded at run time (the shipped model is in the image); no .pyc is written into the
# read-only code.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HF_DATASETS_OFFLINE=1

WORKDIR /app
COPY . /app
# Installed in place (-e): provrisk finds its configs/, models/ and corpora/treaties/ beside its code.
# The server extra needs no torch (the transformer extra would pin torch==2.13.0). Owned by root,
# so the service cannot change its own code or model.
RUN pip install -e '.[server]' \
    && python -m compileall -q /app/pipeline /app/models /app/corpora /app/eval

USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
ENTRYPOINT ["tini", "--"]
CMD ["provrisk", "serve", "--host", "0.0.0.0", "--port", "8000"]
