"""Named one-click comparisons that each teach one thing about design, with what to look for.

The first is the app's default. Each is plain data: the settings to restore, the page to open, and the
sentence that says what the comparison shows (measured on this project's machine, see tests/test_lessons.py).
"""
from dataclasses import dataclass

from .settings import AppSettings


@dataclass(frozen=True)
class Lesson:
    key: str
    title: str
    question: str
    look_for: str
    settings: AppSettings
    page: str = "compare"  # the url path of the page that shows it best


LESSONS = [
    Lesson("depth", "Depth", "Does a hidden layer matter?",
           "On 6×6 images of horizontal lines, vertical lines and X's, [36, 3] (no hidden layer) mixes up the "
           "horizontal and vertical lines and stalls near 70%; one hidden layer of 8 units reaches 100%. See the "
           "confusion matrices on the Images page.",
           AppSettings()),
    Lesson("activation", "Activation", "ReLU, tanh or sigmoid?",
           "The same [2, 16, 8, 2] network on two rings at lr 0.3: relu and tanh draw a closed boundary around "
           "the inner ring (98%); sigmoid learns more slowly and after 200 epochs has cut out only a band between "
           "two nearly straight lines (79%).",
           AppSettings(datasets=("circles",), architectures=("[25, 16, 8, 2]",),
                       activations=("relu", "tanh", "sigmoid"), lrs=(0.3,))),
    Lesson("vanishing", "Vanishing gradients", "Why do deep sigmoid networks not learn?",
           "Five hidden layers on circles: with sigmoid the layers near the input get gradients hundreds of times "
           "smaller than the output layer and the network stays at 50%; relu trains. Open Gradient flow.",
           AppSettings(datasets=("circles",), architectures=("[25, 8, 8, 8, 8, 8, 2]",),
                       activations=("relu", "sigmoid")),
           page="gradient-flow"),
    Lesson("learning-rate", "Learning rate", "How large a step?",
           "On moons: 0.001 is still at 90% after 200 epochs, 0.01 to 1 reach 100% (faster as the rate grows), "
           "5 overshoots into a network that predicts one class (50%), and at 20 the loss blows up in the first "
           "epoch: that run is marked diverged.",
           AppSettings(datasets=("moons",), architectures=("[25, 16, 8, 2]",), lrs=(0.001, 0.01, 0.1, 1.0, 5.0, 20.0))),
    Lesson("classic", "The classic edge figure", "Three architectures on 5×5 edge patches",
           "The figure this project started from: edge patches are linearly separable, so [25, 2], [25, 8, 2] and "
           "[25, 16, 8, 2] all reach 100%; depth only changes how fast the loss falls.",
           AppSettings(datasets=("edge",))),
]
LESSONS_BY_KEY = {lesson.key: lesson for lesson in LESSONS}
