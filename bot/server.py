"""`hongling serve`: the app under gunicorn (threads in one worker, or several workers)."""
from __future__ import annotations

import logging

from gunicorn.app.base import BaseApplication

from bot import create_app

log = logging.getLogger(__name__)


def runs_scheduler(config, workers: int) -> bool:
    """Only the embedded default with one worker schedules in the server; otherwise `hongling scheduler` does."""
    return config.is_embedded_default and workers == 1


class _Gunicorn(BaseApplication):
    def __init__(self, config, options, *, with_scheduler: bool = False):
        self.hongling_config = config
        self.options = options
        self.with_scheduler = with_scheduler
        self.scheduler = None
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if self.with_scheduler:
            def worker_exit(server, worker):  # hand the scheduler lease on at once
                if self.scheduler is not None:
                    self.scheduler.stop()
            self.cfg.set("worker_exit", worker_exit)

    def load(self):
        app = create_app(self.hongling_config)
        if self.with_scheduler:  # load() runs in the (single) worker: it serves and schedules
            from scheduler.service import start_in_process
            self.scheduler = start_in_process(self.hongling_config)
        return app


def serve(config, *, workers: int = 1) -> int:
    """Run the callback server on [server] host:port until stopped."""
    with_scheduler = runs_scheduler(config, workers)
    if config.is_embedded_default:
        print("红领已启动（内置默认配置：SQLite，消息打印到控制台）。\n"
              f"  回调地址  http://{config.host}:{config.port}/wechat\n"
              f"  Token     {config.wechat.token}\n"
              f"  AESKey    {config.wechat.encoding_aes_key}\n"
              "  试一试：在另一个终端运行  .venv/bin/hongling chat --as liming", flush=True)
    if with_scheduler:
        print("  提醒调度  本进程同时运行（五个一提醒打印在此；生产环境请另行运行 hongling scheduler）", flush=True)
    else:
        log.info("reminders are not scheduled by this server: run `hongling scheduler` as its own process")
    _Gunicorn(config, {"bind": f"{config.host}:{config.port}", "workers": max(1, workers),
                       "worker_class": "gthread", "threads": 8, "timeout": 30,
                       "accesslog": None, "loglevel": "info"},
              with_scheduler=with_scheduler).run()
    return 0
