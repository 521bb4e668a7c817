"""Benchmarks (not tests): `make bench` runs bench/run.py, `make bench-quick` its --quick mode.

bench/generate.py  a synthetic company (10^5 members, 2,000 branches, ~5 million entries)
bench/load.py      a closed-loop HTTP load generator for the WeCom callback (asyncio, keep-alive)
bench/bare.py      the bare endpoint: verify, decrypt, parse_message, encrypt a fixed reply
bench/fake_api.py  a fake WeCom API server (gettoken, message/send) that counts calls
bench/run.py       runs everything and writes bench/RESULTS.md
"""
