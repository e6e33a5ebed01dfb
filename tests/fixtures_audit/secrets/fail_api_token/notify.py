SLACK_TOKEN = "xoxb-1234567890-abcdefghij"
