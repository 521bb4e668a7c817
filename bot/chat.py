"""`hongling chat`: a terminal that stands in for the WeCom app or WeChat, over real HTTP.

On a WeChat Official Account (`[wechat] channel = "mp"`) `--as` is the openid: a new one
must first send `绑定 CODE` with a code from `hongling members invite`.
"""
from __future__ import annotations

import sys
import urllib.error
import urllib.request

from bot.simulator import simulator_for


def send(sim, url: str, userid: str, text: str) -> str:
    """Send one text as `userid` (an openid on mp); the decrypted reply, or what went wrong."""
    params, body = sim.text(userid, text)
    request = urllib.request.Request(f"{url}?{sim.query(params)}", data=body,
                                     headers={"Content-Type": "application/xml"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        return f"[服务器拒绝：HTTP {exc.code} {exc.read().decode('utf-8', 'replace')}]"
    except OSError as exc:
        return f"[连不上 {url}：{exc}。先在另一个终端运行 make run]"
    return sim.open_reply(raw).get("Content", "") if raw else "[无回复]"


def chat(config, *, userid: str, url: str | None) -> int:
    """Read lines from stdin, send each, print each reply, until EOF or 退出."""
    url = url or f"http://{config.host}:{config.port}/wechat"
    sim = simulator_for(config.wechat)
    interactive = sys.stdin.isatty()
    print(f"以 {userid} 的身份连接 {url}。输入消息回车发送，Ctrl-D 或「退出」结束。")
    while True:
        if interactive:
            print("> ", end="", flush=True)
        line = sys.stdin.readline()
        if not line or line.strip() in ("退出", "exit", "quit"):
            return 0
        if line.strip():
            print(send(sim, url, userid, line.strip()), flush=True)
