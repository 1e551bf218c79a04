"""SMS providers: `log` (development: writes the text to the app's log and, if set, to
SMS_LOG_FILE, one JSON line per message — the default when no provider is configured) and
`aliyun` (阿里云短信服务, dysmsapi `SendSms`, written to its documented HTTP API with the
standard library: an RPC request signed with HMAC-SHA1 over the canonicalized query).

A text message in China goes out through a template the provider approved beforehand:
the event's template code comes from ALIYUN_SMS_TEMPLATES ({"vote.announced":
"SMS_123456"}) and its variables from the row's data (notify's `data=`). `OutId` is the
row's key, so the provider's records name the notice a text belongs to.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Mapping
from pathlib import Path

from core.messaging.channels import Failed, safe_key

log = logging.getLogger("tongxin.sms")

ALIYUN_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
#: the provider's answers that another try cannot change (its documented error codes)
ALIYUN_PERMANENT = frozenset({
    "isv.MOBILE_NUMBER_ILLEGAL", "isv.SMS_TEMPLATE_ILLEGAL", "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.TEMPLATE_MISSING_PARAMETERS", "isv.INVALID_PARAMETERS", "isv.PARAM_LENGTH_LIMIT",
    "isv.BLACK_KEY_CONTROL_LIMIT", "isv.MOBILE_COUNT_OVER_LIMIT", "isv.DENY_IP_RANGE",
    "isp.RAM_PERMISSION_DENY", "InvalidAccessKeyId.NotFound", "SignatureDoesNotMatch",
})


class LogSms:
    """Development: nothing leaves the machine; the text is in the log (and the file)."""

    def __init__(self, config: Mapping):
        self.path = config.get("SMS_LOG_FILE") or ""

    def send(self, message) -> str:
        provider_id = f"log-{safe_key(message.key)}"
        line = json.dumps({"id": provider_id, "to": message.address, "event": message.event,
                           "text": f"{message.title} {message.body}".strip(),
                           "data": json.loads(message.data_json or "{}")},
                          ensure_ascii=False, sort_keys=True)
        log.info("sms %s", line)
        if self.path:
            with Path(self.path).open("a", encoding="utf-8") as f:
                f.write(line + "\n")
                f.flush()
        return provider_id


def percent_encode(text: str) -> str:
    """Aliyun's rule (RFC 3986): A–Z a–z 0–9 - _ . ~ stay, everything else %XY of its UTF-8
    bytes, a space %20 (not +), * is %2A."""
    return urllib.parse.quote(text, safe="~")


def string_to_sign(params: Mapping[str, str], method: str = "GET") -> str:
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}"
                         for k, v in sorted(params.items()))
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"


def signature(params: Mapping[str, str], secret: str, method: str = "GET") -> str:
    """Base64(HMAC-SHA1(secret + "&", StringToSign)): signature version 1.0."""
    digest = hmac.new((secret + "&").encode(), string_to_sign(params, method).encode(),
                      hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSms:
    def __init__(self, config: Mapping):
        self.key_id = config.get("ALIYUN_ACCESS_KEY_ID") or ""
        self.secret = config.get("ALIYUN_ACCESS_KEY_SECRET") or ""
        self.sign_name = config.get("ALIYUN_SMS_SIGN_NAME") or ""
        self.endpoint = config.get("ALIYUN_SMS_ENDPOINT") or ALIYUN_ENDPOINT
        self.templates = templates(config.get("ALIYUN_SMS_TEMPLATES"))

    def params(self, message, *, now: dt.datetime | None = None,
               nonce: str | None = None) -> dict[str, str]:
        code = self.templates.get(message.event)
        if not code:
            raise Failed(f"no SMS template for {message.event} (ALIYUN_SMS_TEMPLATES)",
                         permanent=True)
        moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
        params = {
            "AccessKeyId": self.key_id, "Action": "SendSms", "Format": "JSON",
            "PhoneNumbers": message.address, "RegionId": "cn-hangzhou",
            "SignName": self.sign_name, "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": nonce or uuid.uuid4().hex, "SignatureVersion": "1.0",
            "TemplateCode": code,
            "TemplateParam": json.dumps(json.loads(message.data_json or "{}"),
                                        ensure_ascii=False, sort_keys=True),
            "Timestamp": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25", "OutId": safe_key(message.key)[:64],
        }
        params["Signature"] = signature(params, self.secret)
        return params

    def send(self, message) -> str:
        url = self.endpoint + "?" + urllib.parse.urlencode(self.params(message),
                                                           quote_via=urllib.parse.quote)
        try:
            with urllib.request.urlopen(url, timeout=20) as resp:  # noqa: S310 (https)
                answer = json.loads(resp.read().decode("utf-8"))
        except urllib.error.HTTPError as err:
            try:
                answer = json.loads(err.read().decode("utf-8"))
            except ValueError:
                raise Failed(f"aliyun http {err.code}") from err
        except (urllib.error.URLError, OSError, ValueError) as err:
            raise Failed(f"aliyun: {err}") from err
        code = answer.get("Code", "")
        if code != "OK":
            raise Failed(f"aliyun {code}: {answer.get('Message', '')}",
                         permanent=code in ALIYUN_PERMANENT)
        return answer.get("BizId") or answer.get("RequestId") or ""


def templates(setting) -> dict[str, str]:
    if not setting:
        return {}
    if isinstance(setting, Mapping):
        return dict(setting)
    return dict(json.loads(setting))


PROVIDERS = {"log": LogSms, "aliyun": AliyunSms}


def provider(config: Mapping):
    name = config.get("SMS_PROVIDER") or "log"
    if name not in PROVIDERS:
        raise ValueError(f"SMS_PROVIDER={name!r}: use log or aliyun")
    return PROVIDERS[name](config)
