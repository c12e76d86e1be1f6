import pytest
from tiktok_shop import secret_box


def test_round_trip_and_no_clear_text():
    stored = secret_box.encrypt("installation key", "TTP_access_token_value")
    assert stored.startswith("tts1:")
    assert "TTP_access_token_value" not in stored
    assert secret_box.decrypt("installation key", stored) == "TTP_access_token_value"


def test_same_value_encrypts_differently_each_time():
    first = secret_box.encrypt("k", "secret")
    assert first != secret_box.encrypt("k", "secret")


def test_wrong_key_or_tampering_is_detected():
    stored = secret_box.encrypt("right key", "secret")
    with pytest.raises(secret_box.SecretDecryptionError):
        secret_box.decrypt("wrong key", stored)
    tampered = stored[:-4] + ("AAAA" if stored[-4:] != "AAAA" else "BBBB")
    with pytest.raises(secret_box.SecretDecryptionError):
        secret_box.decrypt("right key", tampered)
    with pytest.raises(secret_box.SecretDecryptionError):
        secret_box.decrypt("right key", "plain text token")


def test_empty_values_stay_empty_and_key_is_required():
    assert secret_box.encrypt("k", "") == ""
    assert secret_box.decrypt("k", "") == ""
    with pytest.raises(ValueError):
        secret_box.encrypt("", "secret")
