"""Elevator retrofits (既有多层住宅加装电梯): the cost plan to the fen, the owners' votes it
needs, and its public notice. The model, ElevatorProject, lives with the votes' models."""
