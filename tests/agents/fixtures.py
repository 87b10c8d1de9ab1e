"""Sample documents for the offline model tests: an English pump manual and a Chinese leave policy."""

from __future__ import annotations

MANUAL = """X200 Pump User Manual

Introduction

The X200 is a compact centrifugal pump for domestic water systems. It moves up to 40 litres per minute
and runs quietly at 45 dB. This manual explains installation, operation, maintenance and warranty.

Safety

Always disconnect the power supply before opening the pump housing. Never run the pump dry: the seals
overheat within a few seconds. Keep children away from the unit while it is running.

\f
Installation

Mount the pump on a level, vibration-free surface at least 30 cm above the floor. Connect the inlet
hose to the port marked IN and the outlet hose to the port marked OUT. Tighten the clamps by hand.

Operation

Press the green button to start the pump. The blue light shows normal operation; a flashing red light
means the inlet is blocked or the water level is too low.

\f
Maintenance

Clean the inlet filter every three months. Unscrew the filter cap counter-clockwise, rinse the mesh
under running water and refit it. Replace the filter cartridge once a year.

Troubleshooting

If the pump hums but does not move water, check the inlet hose for air bubbles and bleed the air
through the priming screw. If the motor stops after a few minutes, the thermal cut-out has tripped.

\f
Warranty

The warranty period for the X200 pump is 7 years from the date of purchase. The warranty covers the
motor and the housing but not the filter cartridge or damage caused by dry running. Keep your receipt.

Disposal

At the end of its life, take the pump to an electronics recycling point. Do not put it in household waste.
"""

POLICY_ZH = """员工休假制度

第一章 总则

本制度适用于公司全体正式员工。休假申请须提前在系统中提交，并经直属主管批准。

第二章 年假

员工入职满一年后享有年假。工作满一年不满十年的，年假为五天；满十年不满二十年的，年假为十天；满二十年的，年假为十五天。

第三章 病假

员工因病需要休息的，须提供医院出具的病假证明。病假期间工资按基本工资的百分之八十发放。

第四章 婚假

员工依法登记结婚的，可享受婚假三天。婚假须在结婚登记之日起一年内休完。
"""

_PARTS = [
    "bearing",
    "impeller",
    "gasket",
    "capacitor",
    "float switch",
    "check valve",
    "pressure tank",
    "clamp kit",
]
_MATERIALS = ["stainless steel", "brass", "nitrile rubber", "polypropylene", "cast iron", "ceramic"]


def long_manual() -> str:
    """A multi-page manual (~8,000 characters, form feeds between pages) with the warranty section in its
    second half, after dozens of spare-part sections."""
    head, _, tail = MANUAL.partition("Warranty\n")
    spares = []
    for i in range(40):
        part, material = _PARTS[i % len(_PARTS)], _MATERIALS[i % len(_MATERIALS)]
        spares.append(
            f"Spare part P-{100 + i}\n\nPart P-{100 + i} is the {material} {part} of assembly group {i % 7}. "
            f"Order it by its code, fit it with a torque of {10 + i} Nm and inspect it every {6 + i % 5} "
            "months."
        )
    first, second = spares[:25], spares[25:]
    return "\n\n\f".join([head, *first]) + "\n\nWarranty\n" + tail + "\n\n" + "\n\n".join(second)
