"""The API's endpoints: frameworks, cycles, the register, an assessment's scores and review, and benchmarks.

Each parses its parameters, asks a service, and returns its response model (openapi.operation dumps it); the
docstring of each is its description in the OpenAPI document.
"""

from __future__ import annotations

from flask import current_app, request

from ...domain import benchmark as rules
from ...domain.confidence import EVIDENCED, PEER_VALIDATED, SELF_ASSESSED
from ...domain.peer_groups import GROUP_KINDS
from ...domain.scoring import DOMAIN, OVERALL, STANDARD, score_key, shown_number
from ...services import access, benchmarks, catalogue, review_api, session
from ...services.assessments import NotAllowed
from ...services.scores import MODERATED, SELF, is_moderated, score_of
from . import ApiError, api_user, schemas
from .openapi import BASIS, CODE, CONFIDENCE, CYCLE, GROUP, ORG, operation


def rounded(value: float | None) -> float | None:
    """Half-up to one decimal place, as the scoring rules round the scores people read."""
    number = shown_number(value)
    return None if number is None else float(number)


def _cycle(slug: str):
    cycle = catalogue.find_cycle(session(), slug)
    if cycle is None:
        raise ApiError(404, f"There is no cycle {slug!r}.")
    return cycle


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    value = request.args.get(name, default)
    if value not in allowed:
        raise ApiError(400, f"Parameter {name!r} must be one of: {', '.join(v or '(empty)' for v in allowed)}.")
    return value


# ----------------------------------------------------------------------------------------------------------
# Reference data


@operation("/frameworks", schemas.FrameworkList, operation_id="listFrameworks",
           summary="Standards frameworks and their versions", returns="The frameworks.")
def frameworks() -> schemas.FrameworkList:
    """Every framework loaded, with each version's status, title, content hash and number of criteria."""
    return schemas.FrameworkList(frameworks=[schemas.Framework(slug=f.slug, versions=[schemas.FrameworkVersion(
        version=v.version, status=v.status, title=v.title, content_hash=v.content_hash, criteria=v.criteria,
        supersedes=v.supersedes) for v in f.versions]) for f in catalogue.frameworks(session())])


@operation("/cycles", schemas.CycleList, operation_id="listCycles", summary="Assessment cycles",
           returns="The cycles, oldest first.")
def cycles() -> schemas.CycleList:
    """Every cycle with its framework version and the dates it is open."""
    return schemas.CycleList(cycles=[schemas.Cycle(
        slug=c.slug, name=c.name, framework=c.framework_version.framework.slug, version=c.framework_version.version,
        opens_on=c.opens_on, closes_on=c.closes_on) for c in reversed(catalogue.cycles(session()))])


def organisation_body(organisation) -> schemas.Organisation:
    return schemas.Organisation(
        code=organisation.code, gss_code=organisation.gss_code, name=organisation.name, type=organisation.org_type,
        type_code=organisation.type_code, region=organisation.region_name, dfe_region=organisation.dfe_region,
        nation=organisation.nation, statistical_neighbours=[schemas.StatisticalNeighbour(
            rank=n.rank, code=n.neighbour.code, name=n.neighbour.name, closeness=n.closeness)
            for n in organisation.neighbours])


@operation("/organisations", schemas.OrganisationList, operation_id="listOrganisations",
           summary="The organisation register", returns="Every authority, by name.")
def organisations() -> schemas.OrganisationList:
    """English and Welsh authorities with their codes, type, region and DfE statistical neighbours."""
    return schemas.OrganisationList(
        organisations=[organisation_body(o) for o in catalogue.organisations(session())])


@operation("/organisations/<code>", schemas.Organisation, operation_id="getOrganisation", summary="One authority",
           returns="The authority.", errors=(404,), parameters=(CODE,))
def organisation(code: str) -> schemas.Organisation:
    """An authority with its DfE statistical neighbours (rank 1 is the closest)."""
    found = catalogue.find_organisation(session(), code)
    if found is None:
        raise ApiError(404, f"There is no organisation with DfE code {code!r}.")
    return organisation_body(found)


# ----------------------------------------------------------------------------------------------------------
# Scores


@operation("/cycles/<slug>/assessments/<code>/scores", schemas.AssessmentScores,
           operation_id="getAssessmentScores", summary="An assessment's scores", returns="The scores.",
           errors=(404,), parameters=(CYCLE, CODE))
def scores(slug: str, code: str) -> schemas.AssessmentScores:
    """Self-assessed and moderated scores (moderated is null until moderation). Authority users may read their own
    authority's, champions those assigned to them, programme admins all; any other is 404."""
    cycle = _cycle(slug)
    try:
        assessment = catalogue.viewable_assessment(session(), api_user(), cycle, code)
    except NotAllowed:  # whether there is none or this token may not read it: not told which
        raise ApiError(404, f"There is no assessment for {code!r} in cycle {slug!r} that this token may read.") \
            from None
    framework = cycle.framework_version.rules()

    def basis_scores(basis: str) -> schemas.BasisScores:
        shaped = score_of(assessment, basis).to_json(framework)
        return schemas.BasisScores.model_validate(
            {key: shaped[key] for key in ("completeness", "overall", "domains", "standards")})

    return schemas.AssessmentScores(
        cycle=cycle.slug, framework=framework.framework, version=framework.version,
        organisation=schemas.OrganisationName(code=assessment.organisation.code, name=assessment.organisation.name),
        state=assessment.state, submitted_at=assessment.submitted_at, self=basis_scores(SELF),
        moderated=basis_scores(MODERATED) if is_moderated(assessment) else None)


# ----------------------------------------------------------------------------------------------------------
# Benchmarks


def _benchmark_organisation(user):
    """The authority asked for, if this token may benchmark it (services/access decides who may see which)."""
    code = request.args.get("org", "").strip()
    if not code:
        raise ApiError(400, "Parameter 'org' (the authority's DfE code) is required.")
    try:
        return access.benchmark_subject(session(), user, code)
    except NotAllowed:
        raise ApiError(403, "Authority users may only benchmark their own authority.") from None
    except access.UnknownOrganisation:
        raise ApiError(404, f"There is no organisation with DfE code {code!r}.") from None


def _group_kind(organisation) -> str:
    """The group asked for: one of the authority's fixed groups (its default when none is named) or a saved group."""
    offered = benchmarks.group_kinds(organisation)
    kind = request.args.get("group") or benchmarks.default_kind(organisation)
    if kind in GROUP_KINDS and kind not in offered:
        # A group the authority does not have (a Welsh authority's statistical neighbours) is not there to find.
        raise ApiError(404, f"{organisation.name} has no group {kind!r}: it is compared with {', '.join(offered)} "
                            f"or a saved group.")
    if kind not in offered and not kind.startswith(benchmarks.CUSTOM_PREFIX):
        raise ApiError(400, f"Parameter 'group' must be one of: {', '.join(GROUP_KINDS)}, or "
                            f"{benchmarks.CUSTOM_PREFIX}<id> for a saved peer group.")
    return kind


def position_body(position: rules.Position) -> schemas.Position:
    """A position as the disclosure rule left it: what it withheld is null, and `disclosure` says why."""
    stats = position.stats
    return schemas.Position(
        score=rounded(position.score), n=stats.n, mean=rounded(stats.mean), median=rounded(stats.median),
        q1=rounded(stats.q1), q3=rounded(stats.q3), min=rounded(stats.min), max=rounded(stats.max),
        rank=position.rank, band=position.band, disclosure=position.disclosure)


@operation("/cycles/<slug>/benchmarks", schemas.Benchmark, operation_id="getBenchmark",
           summary="An authority against a peer group", returns="The benchmark.", errors=(400, 403, 404),
           parameters=(CYCLE, ORG, GROUP, BASIS, CONFIDENCE))
def benchmark(slug: str) -> schemas.Benchmark:
    """Group figures for the overall, each domain and each standard score: n, mean, median, quartiles, min, max,
    and the authority's rank and quartile band, as far as the disclosure rule allows (see `disclosure` on each
    position). For authority users, fixed groups and groups programme staff share give the figures but min and
    max once enough members have a score, else only n and the authority's own score; a group an authority user
    built for itself gives only the authority's own score, rank and quartile band, and only with enough scored
    members besides the authority. Programme admins get every figure. Authority users may ask only for their own
    authority; champions may not use benchmarks. With `confidence`, each score is of only the ratings at that
    confidence or above, and a member with none is left out (told to the disclosure rule as a narrower basis is)."""
    user = api_user()
    if not access.may_see_benchmarks(user):
        raise ApiError(403, "Champions may read only the assessments assigned to them, not benchmarks.")
    cycle = _cycle(slug)
    basis = _choice("basis", benchmarks.BASES, "best")
    lowest = _choice("confidence", benchmarks.CONFIDENCES, "")
    organisation = _benchmark_organisation(user)
    kind = _group_kind(organisation)
    threshold = current_app.config["DISCLOSURE_THRESHOLD"]
    try:
        result = benchmarks.authority_benchmark(session(), cycle, organisation, kind, basis, threshold, user,
                                                lowest=lowest)
    except benchmarks.UnknownGroup:
        raise ApiError(404, f"There is no peer group {kind!r} that this token may use.") from None
    positions = result.positions
    return schemas.Benchmark(
        cycle=cycle.slug, organisation=schemas.OrganisationName(code=organisation.code, name=organisation.name),
        group=schemas.BenchmarkGroup(kind=kind, label=result.group.label, n_members=len(set(result.group.members)),
                                     access=result.group.access),
        basis=basis, confidence=lowest, disclosure_threshold=threshold, overall=position_body(positions["overall"]),
        domains={d.id: position_body(positions[f"domain:{d.id}"]) for d in result.framework.domains},
        standards={s.id: position_body(positions[f"standard:{s.id}"])
                   for d in result.framework.domains for s in d.standards})


# ----------------------------------------------------------------------------------------------------------
# Peer review


def _number(value) -> float | None:
    return None if value is None else float(value)


def finding_body(row: review_api.FindingRow) -> schemas.ReviewFinding:
    found = row.finding
    if found is None:
        return schemas.ReviewFinding(criterion=row.criterion_id, sampled=row.sampled, finding=None,
                                     proposed_level=None, reason=None, response=None, response_note=None,
                                     moderated_level=None)
    return schemas.ReviewFinding(
        criterion=row.criterion_id, sampled=row.sampled, finding=found.outcome, proposed_level=found.proposed_level,
        reason=found.reason or None, response=found.response, response_note=found.response_note or None,
        moderated_level=found.moderated_level)


def review_scores(result: review_api.AssessmentReview) -> schemas.ReviewScores:
    by_key = {g.key: schemas.ScoreGap(self=_number(g.self_score), moderated=_number(g.moderated_score),
                                      gap=_number(g.gap)) for g in result.gaps()}
    framework = result.framework
    return schemas.ReviewScores(
        overall=by_key[OVERALL],
        domains={d.id: by_key[score_key(DOMAIN, d.id)] for d in framework.domains},
        standards={s.id: by_key[score_key(STANDARD, s.id)] for s in framework.standards})


@operation("/cycles/<slug>/assessments/<code>/review", schemas.AssessmentReview,
           operation_id="getAssessmentReview", summary="An assessment's peer review", returns="The review.",
           errors=(404,), parameters=(CYCLE, CODE))
def assessment_review(slug: str, code: str) -> schemas.AssessmentReview:
    """The peer review of a submitted assessment: its state; the champions assigned (their email for programme
    admins only); every criterion in a champion's evidence sample or with a finding, with the finding, the
    authority's response and the moderated level (a sampled criterion with no finding yet has finding null); the
    champions' comments by standard; the self-assessed and moderated scores with the gap (moderated minus
    self-assessed, as shown) for the overall score, each domain and each standard; and how many answers are
    self-assessed, evidenced and peer-validated. Until moderation is complete (state moderated or published) the
    moderated scores are those of the answers as the findings leave them so far. A submitted assessment with no
    champion assigned yet has no champions and no findings, and its moderated scores are its self-assessed ones
    (gap 0). A draft has never been submitted and has no review: 404. Authority users may read their own
    authority's, champions those assigned to them, programme admins all; any other is 404."""
    cycle = _cycle(slug)
    try:
        result = review_api.assessment_review(session(), api_user(), cycle, code)
    except NotAllowed:  # whether there is none or this token may not read it: not told which
        raise ApiError(404, f"There is no assessment for {code!r} in cycle {slug!r} that this token may read.") \
            from None
    except review_api.NotSubmitted:
        raise ApiError(404, f"The assessment for {code!r} in cycle {slug!r} has not been submitted: there is no "
                            "review of it.") from None
    assessment, framework = result.assessment, result.framework
    mix = result.review.mix
    return schemas.AssessmentReview(
        cycle=cycle.slug, framework=framework.framework, version=framework.version,
        organisation=schemas.OrganisationName(code=assessment.organisation.code, name=assessment.organisation.name),
        state=assessment.state, submitted_at=assessment.submitted_at,
        champions=[schemas.Champion(name=c.name, email=c.email) for c in result.champions],
        findings=[finding_body(row) for row in result.findings], comments=result.comments,
        scores=review_scores(result),
        confidence=schemas.ConfidenceMix(self_assessed=mix[SELF_ASSESSED], evidenced=mix[EVIDENCED],
                                         peer_validated=mix[PEER_VALIDATED]))
