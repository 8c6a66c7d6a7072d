"""AWS Lambda (see api.py); the execution environments live in postoffice/runtime."""
