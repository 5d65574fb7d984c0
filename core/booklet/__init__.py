"""The skill booklet: its data, pages, printing, signature, badges, verification and jobs."""
