from requests.exceptions import HTTPError

RETRIED = (HTTPError,)
