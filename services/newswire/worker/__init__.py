"""The worker process: the faust host (`app`) and the declarations of its stages (`stages`)."""
