"""Rasa's socket.io channel with session persistence, as the widget uses it.

python-socketio >= 5.10 made `enter_room` a coroutine that Rasa 3.6 does not
await: the server then accepts messages but replies never reach the client.
These tests fail loudly if the Rasa environment drifts from 5.9.0.
"""

from tests.socketio_customer import SocketCustomer as Client
from tools.published import MAIN_LINE, SUPPORT_EMAIL


def test_replies_arrive_over_socketio_with_session_persistence(web_stack):
    client = Client(web_stack.rasa_url)
    try:
        client.say("¿cuál es el teléfono de soporte?")
        text = client.wait_for(MAIN_LINE)
        assert "opción 2 (Soporte) y luego opción 1" in text
    finally:
        client.close()


def test_a_new_connection_with_the_issued_session_continues_the_conversation(web_stack):
    first = Client(web_stack.rasa_url)
    try:
        first.say("¿cuál es el correo de soporte?")
        first.wait_for(SUPPORT_EMAIL)
    finally:
        first.close()
    second = Client(web_stack.rasa_url, first.session)  # a page reload
    try:
        assert second.session == first.session
        # "¿me lo repite?" only gets the e-mail because the server kept the conversation.
        second.say("¿me lo repite?")
        second.wait_for(SUPPORT_EMAIL)
    finally:
        second.close()
    assert web_stack.user_texts(first.conversation_id)[-2:] == ["¿cuál es el correo de soporte?", "¿me lo repite?"]


def test_a_bare_conversation_id_gets_a_new_conversation(web_stack):
    first = Client(web_stack.rasa_url)
    try:
        other = Client(web_stack.rasa_url, first.conversation_id)
        try:
            assert other.conversation_id != first.conversation_id
        finally:
            other.close()
    finally:
        first.close()
