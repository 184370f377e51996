"""Read models projected from the event log (see issue 3: the projector lands here)."""
