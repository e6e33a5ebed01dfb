"""The engine every transform (and the audit) runs on.

Paths in, results out: which files a run looks at (`discovery`, `config`,
`gitstate`), how bytes become text and trees (`sources`, `skip_markers`), one
file's prefilter-parse-transform-validate step (`pipeline`, `formatting`), the
run across roots and worker processes that is the only code writing files
(`driver`, `workerpool`, `gcpolicy`), what people and scripts read
(`results`, `report`, `output_formats`, `sarif`), and the cache that answers a repeated run (`cache`,
with the analysis's other inputs in `inputs`). Nothing here knows about FastAPI.
"""
