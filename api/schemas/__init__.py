"""HTTP request and response models, kept apart from the event schemas they lead to."""
