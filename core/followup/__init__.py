"""Following trainees through the programme: who is at risk of dropping out, and why, from
what only the record holds (``core.followup.risk``), and what the coordination did about it
(the call log, ``core.store.followups``)."""
