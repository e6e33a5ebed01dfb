import hashlib
import sys

text = sys.argv[1] if len(sys.argv) > 1 else ""
digest = hashlib.sha256(text.encode()).hexdigest()
print(f"sha256({text!r}) = {digest}")
print("length:", len(text))
