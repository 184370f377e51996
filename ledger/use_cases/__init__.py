"""The use cases of the service layer, one module per resource; ``ledger.application.Ledger``
joins them. Each public method is one use case, called alike by every client."""
