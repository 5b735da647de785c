"""The outcomes pages, one module per area: `certificates` (download and public verification)."""
