"""The columns of the long and wide files, as the codebook and the data files both see them."""
from __future__ import annotations

from dataclasses import replace

from .dataset import TIMEPOINT, DatasetSpec, Variable, wide_label, wide_name

MASKED_LABEL = " (masked)"


def timepoint_variable(spec: DatasetSpec) -> Variable:
    """The long file's timepoint column, which the wide file turns into name suffixes."""
    return Variable(
        name=TIMEPOINT,
        label="Timepoint",
        type="string",
        level="visit",
        derivation="Scheduled visit: " + ", ".join(spec.timepoints)
        + "; in the wide files a visit variable X appears as X_<timepoint>",
    )


def exported_variable(spec: DatasetSpec, variable: Variable) -> Variable:
    """The variable as exported: in a blinded export an allocation variable shows masked codes."""
    if not (spec.blinded and variable.allocation):
        return variable
    masks = sorted(set((spec.arm_masks or {}).values()))
    return replace(
        variable,
        label=variable.label[: 80 - len(MASKED_LABEL)] + MASKED_LABEL,
        values={mask: f"Masked arm {mask}" for mask in masks},
        derivation="Allocated arm replaced by a masked code; the key is held back until unblinding",
    )


def codebook_variables(spec: DatasetSpec) -> tuple[Variable, ...]:
    """Every variable of the long file, in its order: participant, timepoint, visit variables."""
    return long_variables(spec)


def long_variables(spec: DatasetSpec) -> tuple[Variable, ...]:
    participant = tuple(exported_variable(spec, v) for v in spec.participant_variables)
    visit = tuple(exported_variable(spec, v) for v in spec.visit_variables)
    return (*participant, timepoint_variable(spec), *visit)


def wide_variables(spec: DatasetSpec) -> tuple[Variable, ...]:
    participant = tuple(exported_variable(spec, v) for v in spec.participant_variables)
    visit = tuple(
        replace(
            exported_variable(spec, v),
            name=wide_name(v.name, timepoint),
            label=wide_label(exported_variable(spec, v).label, timepoint),
        )
        for timepoint in spec.timepoints
        for v in spec.visit_variables
    )
    return (*participant, *visit)
