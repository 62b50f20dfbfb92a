import TapeGrad

/// The demo's second model: a small convolutional network on the 8×8 images.
func makeCNN() throws -> Cell {
    throw DemoError("the CNN mode needs Conv2d and pooling layers, which are not in this build yet")
}
