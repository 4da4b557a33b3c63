"""The site: built with MkDocs into a temporary folder and swapped in (`build`), written as plain
Markdown (`render_out`), and published to a folder or a bucket (`publish`)."""
