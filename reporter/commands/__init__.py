"""One module per `reporter` verb; `_common` holds the shared options and error handling."""
