"""The bare endpoint: what wechatpy's crypto plus Flask cost with nothing of ours on top.

    .venv/bin/python bench/bare.py --config FILE [--workers N]

POST /wechat verifies the signature, decrypts, runs wechatpy's parse_message and encrypts a
fixed reply of the length of a typical report answer; GET /healthz answers ok. Nothing else:
no database, no dispatcher, no parser.

It is served by the product's own server code: `bot.server.serve(config, workers=N)` with the
app factory swapped for this one, so the gunicorn settings (gthread, threads, timeout, bind
from [server] host:port) are exactly those of `hongling serve`, whatever they become.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask import Flask, Response, request  # noqa: E402
from wechatpy.enterprise.crypto import WeChatCrypto  # noqa: E402
from wechatpy.enterprise.parser import parse_message  # noqa: E402
from wechatpy.enterprise.replies import TextReply  # noqa: E402

# As long as a typical answer to a report (UTF-8 bytes decide the AES work).
FIXED_REPLY = "已记录：读书 1 本《平凡的世界》+2 分。本月五个一：读书 ✓ 心得 ✗。本年积分 24 / 60"


def bare_app(config) -> Flask:
    """A Flask app doing only what WeCom's protocol demands."""
    cfg = config.wechat
    crypto = WeChatCrypto(cfg.token, cfg.encoding_aes_key, cfg.corp_id)
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz() -> Response:
        return Response("ok", mimetype="text/plain")

    @app.post("/wechat")
    def callback() -> Response:
        args = request.args
        try:
            plain = crypto.decrypt_message(request.get_data(), args["msg_signature"], args["timestamp"],
                                           args["nonce"])
        except Exception:
            return Response("refused", status=403, mimetype="text/plain")
        message = parse_message(plain)
        reply = TextReply(source=cfg.corp_id, target=message.source, agent=cfg.agent_id, content=FIXED_REPLY)
        return Response(crypto.encrypt_message(reply.render(), args["nonce"], args["timestamp"]),
                        mimetype="application/xml")

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="serve the bare endpoint with hongling's gunicorn settings")
    parser.add_argument("--config", required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    import logging

    from bot import server
    from bot.config import load_config
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = load_config(args.config)
    server.create_app = lambda cfg, *a, **k: bare_app(cfg)  # the one difference from `hongling serve`
    return server.serve(config, workers=args.workers)


if __name__ == "__main__":
    sys.exit(main())
