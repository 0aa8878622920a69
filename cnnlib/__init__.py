"""cnnlib: the helper library of the course on convolutional neural networks."""
__version__ = "0.1.0"
