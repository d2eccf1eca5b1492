"""The faust worker: app lifecycle (`app`), topic and agent declarations (`agents`)."""
