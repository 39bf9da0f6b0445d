"""The API surface: a Strawberry schema over the app's services (imports ``app``, not back)."""
