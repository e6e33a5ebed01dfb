from conftest import last_message
from fastapi.testclient import TestClient


def test_profile_needs_a_signed_in_user(client: TestClient) -> None:
    assert client.get("/users/me").status_code == 401


def test_profile_update_and_verification_email(client: TestClient, login) -> None:
    headers = login("+916666666666")

    updated = client.patch("/users/me", json={"email": "asha@example.com", "full_name": "Asha"}, headers=headers)

    assert updated.status_code == 200
    assert updated.json() == {
        "id": updated.json()["id"],
        "phone": "+916666666666",
        "email": "asha@example.com",
        "full_name": "Asha",
        "reputation": 0,
    }
    response = client.post("/users/me/verification/email/send", headers=headers)
    assert response.status_code == 202
    message = last_message("email", "asha@example.com")
    assert message.subject == "Verify your e-mail"
    assert message.body.startswith("Your verification code is ")


def test_verification_email_needs_an_address(client: TestClient, login) -> None:
    headers = login("+917777777777")

    response = client.post("/users/me/verification/email/send", headers=headers)

    assert response.status_code == 400
