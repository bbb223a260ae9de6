"""The demo data sources, one module each: a record builder (raw numpy arrays) and a formatter
that turns a slice of the records into the strings of a Fachverfahren export (German
conventions). `common` holds what they share."""
