import PIL.Image


def thumbnail(stream) -> tuple[int, int]:
    picture = PIL.Image.open(stream)
    picture.thumbnail((128, 128))
    return picture.size
