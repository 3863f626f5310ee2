"""Post the brief to a team chat robot: 企业微信, 钉钉 (signed) or 飞书 (signed).

The three group robots take a JSON POST but differ in payload, signing and how they say no:
each answers HTTP 200 even when it refuses, with ``errcode`` (企业微信, 钉钉) or ``code`` (飞书)
not 0, so a 200 is only a success when that field is 0. Signing, as the platforms document it
(checked 2026-12-01 against their guides' published examples):
- 钉钉: HMAC-SHA256 keyed with the secret over "timestamp_ms\\nsecret", Base64, sent as the
  ``timestamp`` and ``sign`` query parameters;
- 飞书: HMAC-SHA256 keyed with "timestamp_s\\nsecret" over an empty message, Base64, sent as
  ``timestamp`` and ``sign`` in the body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from kb.daily.config import Notify
from kb.problems import Text

TIMEOUT_S = 10
# Message size limits: 企业微信 markdown 4096 bytes; 钉钉 ~20,000 bytes; 飞书 request body 20 KB.
LIMITS = {"wecom": 4000, "dingtalk": 18000, "feishu": 18000}


class NotifyError(RuntimeError):
    def __init__(self, text: Text):
        self.text = text
        super().__init__(text.en)


@dataclass
class Request:
    url: str
    body: dict


def _clip(text: str, kind: str) -> str:
    limit = LIMITS[kind]
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 20].decode("utf-8", "ignore").rstrip() + "\n\n…(截断 / truncated)"


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp_s: int) -> str:
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def build(kind: str, url: str, title: str, text: str, secret: str = "", now=None) -> Request:
    """The request a robot expects (pure: tests check the payload and signature)."""
    now = time.time() if now is None else now
    text = _clip(text, kind)
    if kind == "wecom":
        return Request(url, {"msgtype": "markdown", "markdown": {"content": text}})
    if kind == "dingtalk":
        if secret:
            ts = int(now * 1000)
            sep = "&" if urllib.parse.urlsplit(url).query else "?"
            query = urllib.parse.urlencode({"timestamp": ts, "sign": dingtalk_sign(secret, ts)})
            url = f"{url}{sep}{query}"
        return Request(url, {"msgtype": "markdown", "markdown": {"title": title, "text": text}})
    if kind == "feishu":
        body = {"msg_type": "text", "content": {"text": text}}
        if secret:
            ts = int(now)
            body = {"timestamp": str(ts), "sign": feishu_sign(secret, ts), **body}
        return Request(url, body)
    raise ValueError(kind)


def post(notify: Notify, title: str, text: str) -> dict:
    """Send; return the robot's JSON answer or raise NotifyError with the reason."""
    url = os.environ.get(notify.url_env, "")
    if not url:
        raise NotifyError(
            Text(
                f"环境变量 {notify.url_env} 未设置: 请把机器人的 webhook 地址放在这里",
                f"environment variable {notify.url_env} is not set: put the robot's webhook URL there",
            )
        )
    if not url.startswith(("https://", "http://")):
        raise NotifyError(
            Text(f"{notify.url_env}: 不是 http(s) 地址", f"{notify.url_env}: not an http(s) URL")
        )
    secret = os.environ.get(notify.secret_env, "") if notify.secret_env else ""
    req = build(notify.kind, url, title, text, secret)
    data = json.dumps(req.body, ensure_ascii=False).encode("utf-8")
    http = urllib.request.Request(
        req.url, data=data, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(http, timeout=TIMEOUT_S) as resp:  # noqa: S310 - http(s) only
            raw = resp.read(1_000_000)
    except urllib.error.HTTPError as exc:
        raise NotifyError(
            Text(f"机器人返回 HTTP {exc.code}", f"the robot answered HTTP {exc.code}")
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise NotifyError(
            Text(f"无法连接机器人地址: {reason}", f"cannot reach the robot: {reason}")
        ) from None
    try:
        answer = json.loads(raw.decode("utf-8"))
    except ValueError:
        raise NotifyError(Text("机器人的回复不是 JSON", "the robot's answer is not JSON")) from None
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
    if code not in (0, "0"):
        msg = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage") or ""
        raise NotifyError(
            Text(
                f"机器人拒绝了消息 (错误码 {code}: {msg})",
                f"the robot refused the message (code {code}: {msg})",
            )
        )
    return answer
