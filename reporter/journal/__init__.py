"""The research journal: entries as written (`entries`: links, embeds, front matter) and their
references resolved against the study (`resolve`). Rendering them is `reporter.pages.documents`."""
