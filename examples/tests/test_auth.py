from conftest import last_message
from fastapi.testclient import TestClient


def test_request_otp_sends_a_six_digit_code_by_sms(client: TestClient) -> None:
    response = client.post("/auth/request-otp", json={"phone": "+913333333333"})

    assert response.status_code == 200
    assert response.json() == {"detail": "OTP sent"}
    message = last_message("sms", "+913333333333")
    prefix, code = message.body.rsplit(" ", 1)
    assert prefix == "Your code is"
    assert len(code) == 6 and code.isdigit()


def test_verified_code_logs_in_once(client: TestClient) -> None:
    client.post("/auth/request-otp", json={"phone": "+914444444444"})
    code = last_message("sms", "+914444444444").body.rsplit(" ", 1)[-1]

    response = client.post("/auth/verify-otp", json={"phone": "+914444444444", "code": code})

    assert response.status_code == 200
    token = response.json()
    assert set(token) == {"access_token", "token_type", "user_id"}
    assert token["token_type"] == "bearer"
    me = client.get("/users/me", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert me.json()["id"] == token["user_id"]
    assert last_message("sms", "+914444444444").body.startswith("Welcome to CivicLens!")
    again = client.post("/auth/verify-otp", json={"phone": "+914444444444", "code": code})
    assert again.status_code == 401


def test_wrong_code_is_rejected(client: TestClient) -> None:
    client.post("/auth/request-otp", json={"phone": "+915555555555"})
    code = last_message("sms", "+915555555555").body.rsplit(" ", 1)[-1]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    response = client.post("/auth/verify-otp", json={"phone": "+915555555555", "code": wrong})

    assert response.status_code == 401
