"""Context files and knowledge bases: upload, parse, chunk, embed, index and retrieve.

Layout: `filestore` (where bytes live), `upload` (streaming multipart), `parse` (text extraction),
`chunk`/`tokens` (splitting and lexical tokens), `embed` (offline USE or an OpenAI-compatible
endpoint), `sideindex`/`index` (vector and lexical indexes), `search` (hybrid fusion), `files` and
`service` (the background workers), `settings`, `signing` (file urls), `wiring`, `retriever`
(retrieval inside runs), `cli` (`xpert knowledge`).
"""
