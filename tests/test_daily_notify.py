"""Posting the brief to chat robots, against a local HTTP server that answers like each one."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from kb.daily.config import Notify
from kb.daily.notify import NotifyError, build, post


class Robot:
    """A local robot: records each request and answers with the given JSON."""

    def __init__(self, answer: dict, status: int = 200):
        self.requests: list[tuple[str, dict]] = []
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                size = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(size).decode("utf-8"))
                robot.requests.append((self.path, body))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/robot/send?access_token=abc"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_wecom_markdown_payload(monkeypatch):
    with Robot({"errcode": 0, "errmsg": "ok"}) as robot:
        monkeypatch.setenv("HOOK", robot.url)
        post(Notify("wecom", "HOOK"), "t", "# 晨会简报\n- 销售额 −8%")
    path, body = robot.requests[0]
    assert body == {"msgtype": "markdown", "markdown": {"content": "# 晨会简报\n- 销售额 −8%"}}


def test_a_200_with_errcode_is_a_failure(monkeypatch):
    with Robot({"errcode": 93000, "errmsg": "invalid webhook url"}) as robot:
        monkeypatch.setenv("HOOK", robot.url)
        with pytest.raises(NotifyError) as exc:
            post(Notify("wecom", "HOOK"), "t", "text")
    assert "93000" in exc.value.text.en and "invalid webhook url" in exc.value.text.en


def test_dingtalk_is_signed_in_the_query(monkeypatch):
    with Robot({"errcode": 0, "errmsg": "ok"}) as robot:
        monkeypatch.setenv("HOOK", robot.url)
        monkeypatch.setenv("SECRET", "SEC123")
        post(Notify("dingtalk", "HOOK", "SECRET"), "店铺 2026-11-30", "正文")
    path, body = robot.requests[0]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    ts = query["timestamp"][0]
    expected = base64.b64encode(
        hmac.new(b"SEC123", f"{ts}\nSEC123".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected] and query["access_token"] == ["abc"]
    assert body["markdown"] == {"title": "店铺 2026-11-30", "text": "正文"}


def test_feishu_is_signed_in_the_body_and_code_is_checked(monkeypatch):
    with Robot({"code": 19021, "msg": "sign match fail"}) as robot:
        monkeypatch.setenv("HOOK", robot.url)
        monkeypatch.setenv("SECRET", "s3")
        with pytest.raises(NotifyError, match="19021"):
            post(Notify("feishu", "HOOK", "SECRET"), "t", "正文")
    _, body = robot.requests[0]
    key = f"{body['timestamp']}\ns3".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert body["content"] == {"text": "正文"}


def test_unreachable_robot_and_unset_url(monkeypatch):
    monkeypatch.delenv("HOOK", raising=False)
    with pytest.raises(NotifyError, match="HOOK is not set"):
        post(Notify("wecom", "HOOK"), "t", "x")
    monkeypatch.setenv("HOOK", "http://127.0.0.1:9/robot")
    with pytest.raises(NotifyError, match="cannot reach"):
        post(Notify("wecom", "HOOK"), "t", "x")


def test_long_briefs_are_clipped_to_the_robot_limit():
    req = build("wecom", "http://x", "t", "很长的简报。" * 2000)
    assert len(req.body["markdown"]["content"].encode()) <= 4096
    assert req.body["markdown"]["content"].endswith("truncated)")


def test_cli_posts_the_brief_and_fails_loudly_when_refused(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.daily_fixtures import history, write_root

    repo = Path(__file__).resolve().parent.parent
    config = (
        "source: {type: folder, path: exports}\n"
        "notify: {kind: dingtalk, url_env: TEAM_HOOK, secret_env: TEAM_SECRET}\n"
    )
    root = write_root(tmp_path, history(drop={"抖音": 0.4}), config)

    def run(robot):
        env = {**os.environ, "TEAM_HOOK": robot.url, "TEAM_SECRET": "SECx"}
        cmd = [sys.executable, "-m", "kb", "daily", "--root", str(root), "--post"]
        return subprocess.run(cmd, capture_output=True, text=True, cwd=repo, env=env, timeout=120)

    with Robot({"errcode": 0, "errmsg": "ok"}) as robot:
        ok = run(robot)
    assert ok.returncode == 0, ok.stderr
    assert "抖音" in robot.requests[0][1]["markdown"]["text"]
    with Robot({"errcode": 310000, "errmsg": "sign not match"}) as robot:
        refused = run(robot)
    assert refused.returncode == 5 and "310000" in refused.stderr
