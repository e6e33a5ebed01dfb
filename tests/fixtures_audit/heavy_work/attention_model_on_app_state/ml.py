import torch


def load_model(path: str):
    model = torch.load(path)
    model.eval()
    return model
