"""Training from config files: weak labels -> grouped cross-validation -> final model -> MLflow."""
