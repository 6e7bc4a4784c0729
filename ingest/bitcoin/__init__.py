"""Bitcoin ingest: raw blocks (node RPC or Core's blk*.dat) → one Transfer per transaction.

Entry points: :func:`ingest.bitcoin.source.rpc_source` and
:func:`ingest.bitcoin.source.blocks_dir_source`, run by the shared
:class:`ingest.follower.Follower`. See docs/ingest-bitcoin.md.
"""
