"""The kinds of peer group an authority is compared with (DESIGN §6): defined once, looked up everywhere.

A fixed kind is either the authority's statistical neighbours, every authority, or the authorities sharing one of
its attributes in the register (its region, DfE region, type or nation); a saved group is `group-<id>`.
"""

from __future__ import annotations

STATISTICAL_NEIGHBOURS, REGION, DFE_REGION, TYPE, NATION, ALL = (
    "statistical-neighbours", "region", "dfe-region", "type", "nation", "all")
GROUP_KINDS = (STATISTICAL_NEIGHBOURS, REGION, DFE_REGION, TYPE, NATION, ALL)
CUSTOM_PREFIX = "group-"  # a saved group's kind: group-<its id>

# The register attribute the members of a kind share with the authority (no entry: not an attribute group).
SHARED_ATTRIBUTE = {REGION: "region_name", DFE_REGION: "dfe_region", TYPE: "org_type", NATION: "nation"}
