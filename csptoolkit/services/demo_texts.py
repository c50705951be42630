"""The words of the demo's reviews: challenges, requests, responses, comments and reasons for returning, about
children's services commissioning (chosen by the seeded generator in demo_reviews.py)."""

LOWER = {  # why a challenge proposes a lower level, and how an authority keeping its rating answers it
    "leadership": (
        ("The joint commissioning strategy is still in draft: the children's trust board noted it in March, but "
         "neither the cabinet nor the PCT board has adopted it, so it is not yet in place across partners.",
         "The strategy was adopted by cabinet on 12 January and by the PCT board on 27 January, after the "
         "self-assessment was drafted; both decisions are now in the evidence folder."),
        ("The board minutes show commissioning discussed but no decisions taken on redesign or decommissioning; the "
         "lead member's role is described in the constitution rather than shown in practice.",
         "The September and December minutes record the decisions to recommission short breaks and to end the grant "
         "to the family centre network; the lead member chaired both items."),
        ("Governance is clear on paper, but the commissioning sub-group has not met since the autumn and there is no "
         "record of it holding commissioners to account for the section 75 arrangements.",
         "The sub-group was replaced in October by the joint commissioning board, which meets monthly; its minutes "
         "and the section 75 reports it received are attached."),
    ),
    "needs-assessment": (
        ("The JSNA children's chapter dates from 2008 and has not been refreshed; it has nothing on disabled "
         "children, young carers or children in custody, so the coverage claimed is not there yet.",
         "The 2010 refresh of the JSNA added the sections on disabled children, young carers and young people in "
         "custody (pages 41 to 58); only the earlier volume is dated 2008."),
        ("The needs assessment describes prevalence well but does not analyse unmet need or project demand, and "
         "nothing shows it shaped this year's commissioning intentions.",
         "The demand projections are in the placements and CAMHS annexes, and the commissioning intentions for "
         "2011-12 cite them for each priority."),
        ("The CAMHS needs analysis uses PCT data only and draws nothing from schools or social care; the joint "
         "analysis the criterion asks for is still being planned.",
         "The CAMHS analysis was refreshed jointly in the autumn with schools and social care data, and the joint "
         "version was signed off by the children's trust board in November."),
    ),
    "engagement": (
        ("The participation strategy is good, but every example given is a consultation after the decision was "
         "made; none shows children or parents specifying or evaluating a service.",
         "Parents on the short breaks steering group wrote the service specification with us, and young people "
         "scored the youth offer tenders; the notes are attached."),
        ("Young commissioners took part in one tender (the youth offer), which is a good start, but it is not yet "
         "routine across the commissioning cycle.",
         "Young commissioners have sat on every tender panel since April (five so far), and this is now written "
         "into the commissioning procedure."),
        ("Parents of disabled children are asked for their views through the short breaks survey, but nothing shows "
         "how their answers changed what was commissioned, or that they were told.",
         "The survey led to the new Saturday club and to the change in eligibility criteria, and both were reported "
         "back to parents through the parent carer forum."),
    ),
    "resources": (
        ("The section 75 agreement pools the budget for community equipment only; CAMHS tier 2 and speech and "
         "language therapy budgets are aligned, not pooled.",
         "The pooled budget for CAMHS tier 2 began on 1 April under schedule 3 of the section 75 agreement; speech "
         "and language therapy joins it next year."),
        ("The resource map covers council spend, but the PCT's spend on children is estimated from a 2009 return: "
         "partners cannot yet see what they spend together.",
         "The PCT's figures come from its 2010-11 programme budget return, agreed with its director of finance, and "
         "the map went to the children's trust board in July."),
        ("The pooled budget board's terms of reference are signed, but the risk-sharing schedule is blank and the "
         "board has not reported to either partner this year.",
         "The risk-sharing schedule was agreed at the board in June and is being signed; the board reports to both "
         "partners every quarter (the reports are attached)."),
        ("The early intervention grant is allocated by service area as in past years; we saw no analysis of value "
         "for money, or of what was stopped to fund new work.",
         "The early intervention grant was reallocated after a review of every funded service: three services were "
         "stopped and the money moved into the family intervention project."),
    ),
    "market": (
        ("The market position statement has not been shared with providers, and the placement sufficiency strategy "
         "lists current placements without forecasting need or saying how the gap will be closed.",
         "The market position statement was published on the council's website in February and presented at the "
         "provider forum; the sufficiency forecast is its appendix B."),
        ("Spending on independent fostering agencies rose again and the sufficiency plan sets no target for "
         "recruiting in-house carers: the duty is understood but not yet met in practice.",
         "Agency spending rose with the rise in care proceedings; the campaign for in-house carers began in January "
         "with a target of 30 new fostering households."),
        ("Provider engagement is the annual forum only; there is no sign of market shaping with the voluntary "
         "sector providers of short breaks and family support.",
         "Besides the forum we meet the short breaks providers every quarter, and the family support framework was "
         "designed with the voluntary sector network."),
    ),
    "procurement": (
        ("There is a procurement plan, but two recent contracts (family support and the young carers project) were "
         "extended by waiver without any review of the options.",
         "Both extensions were agreed by the procurement board after an options appraisal, to align their end dates "
         "with the recommissioning of early help; the appraisals are attached."),
        ("Contract monitoring returns are collected every quarter, but the reports we saw check activity and spend "
         "only; none records outcomes or what was followed up with the provider.",
         "Every contract on the register had a monitoring meeting this year, and the template's outcomes section "
         "has been in use since October."),
        ("Outcomes-based contracts are an aim: the new specifications still pay for hours delivered, and no payment "
         "depends on results for children.",
         "The new family intervention contract pays 20 per cent of its price on outcomes for children; the payment "
         "schedule is in section 7 of the contract."),
    ),
    "performance": (
        ("The scorecard reports the national indicators but few local outcome measures, and it is not clear how the "
         "children's trust board uses it to change what is commissioned.",
         "The scorecard has 14 local outcome measures besides the national indicators, and the board used it to "
         "move funding into early help in December."),
        ("Service reviews are planned, but the only one finished (the Connexions contract) led to no decision; "
         "nothing has been decommissioned yet to show the process works.",
         "The board decommissioned the detached youth work contract in November after its service review; the "
         "report and the decision are attached."),
        ("Each service gathers complaints and young people's feedback, but nobody brings them together to inform "
         "commissioning.",
         "The quarterly customer insight report brings complaints, compliments and young people's feedback together "
         "for the joint commissioning board."),
    ),
    "workforce": (
        ("The workforce plan names commissioning skills as a priority, but the training records show three staff on "
         "the commissioning course and there has been no skills audit.",
         "Five commissioners completed the Institute of Public Care programme this year, and the skills audit was "
         "done in September."),
        ("Commissioning capacity rests on two posts, one vacant since the spring; the joint commissioning unit with "
         "the PCT is agreed in principle only.",
         "The vacant post was filled in July, and the joint commissioning unit with the PCT has been in place since "
         "September with four staff."),
        ("Joint training with providers is in the children's workforce strategy, but none has taken place in the "
         "last year.",
         "Joint training with providers on outcomes-based contracts ran in May and November: 46 people from 19 "
         "providers came."),
    ),
}
REBUTTALS = {reason: rebuttal for pairs in LOWER.values() for reason, rebuttal in pairs}

HIGHER = (  # why a challenge proposes a higher level
    "The evidence shows more than the rating claims: the arrangement has been reviewed with partners and changed "
    "as a result, which is what the next level describes.",
    "The authority has rated itself cautiously: the minutes and the annual report show this working with every "
    "partner, not only in the pilot areas.",
    "This is stronger than rated: the provider forum notes and the contract monitoring returns show it is routine "
    "practice now.",
    "Rated too modestly. What we saw at the challenge session, and in the children's trust board papers, meets the "
    "next level.",
)

REQUESTS = {  # what evidence is wanted
    "leadership": (
        "Please send the cabinet and PCT board decisions adopting the joint commissioning strategy, and the date "
        "set for its review.",
        "Please share the children's trust board minutes where commissioning decisions were taken this year, with "
        "the papers for those items.",
    ),
    "needs-assessment": (
        "Please send the current JSNA chapter on children and young people with its data appendix, and show where "
        "it informed the commissioning intentions for 2011-12.",
        "Please provide the SEND and CAMHS needs analyses the rating refers to, with their dates and who signed "
        "them off.",
    ),
    "engagement": (
        "Please provide an example of young people or parents helping to specify, choose or review a service, "
        "with the panel notes or the evaluation report.",
        "Please send the 'you said, we did' report, or whatever shows what changed because of participation.",
    ),
    "resources": (
        "Please send the signed section 75 agreement with its schedules, and the pooled budget board's last two "
        "reports to partners.",
        "Please share the joint resource map of council, PCT and schools forum spending on children's services.",
    ),
    "market": (
        "Please send the placement sufficiency strategy and the latest analysis of placement demand and costs.",
        "Please provide the market position statement and the notes of the last two provider forums.",
    ),
    "procurement": (
        "Please send two recent contract monitoring reports, with the actions agreed with the provider and how "
        "they were followed up.",
        "Please provide the procurement plan and the contracts register showing renewal dates and review "
        "decisions.",
    ),
    "performance": (
        "Please send the outcomes framework and the latest scorecard as reported to the children's trust board.",
        "Please share a completed service review and the decision the board took on it.",
    ),
    "workforce": (
        "Please send the commissioning skills audit or training needs analysis, and the commissioning team's "
        "training records.",
        "Please provide the structure chart of the joint commissioning team, showing which posts are filled.",
    ),
}

AGREED = (
    "Evidence seen: it supports the rating.",
    "Confirmed at the moderation meeting with the head of commissioning.",
    "Well evidenced: the board papers and the action log agree with the rating.",
    "Agreed. A good example for other authorities.",
)

ACCEPTED = (
    "Accepted: we will take this to the children's trust board before the next cycle.",
    "We accept the proposed level; the work that would meet our rating is planned for the autumn.",
    "Agreed. The evidence for our rating was not as strong as we thought.",
)
ACCEPTED_HIGHER = (
    "Thank you: we accept the higher level.",
    "Accepted, with thanks; we had rated it cautiously.",
)
KEPT_ANY = (  # why the authority keeps its rating against a challenge, whatever it says
    "We have looked at this again and keep our rating: the evidence is in the papers already submitted (see the "
    "evidence note), and we would welcome the chance to talk it through.",
    "The partners agreed this rating together at the self-assessment workshop, and we think it reflects practice "
    "across the whole partnership rather than the single example looked at.",
)
KEPT_LOWER = (  # why it keeps a rating a challenge would raise
    "We would rather keep the lower rating until the new arrangement has run for a full year and been reviewed.",
    "We rated it cautiously on purpose: not every partner has signed up yet, and we would rather keep it so.",
)
NO_MORE_EVIDENCE = (
    "All the evidence we hold is already attached; the rating is what partners agreed at the self-assessment "
    "workshop.",
    "The paper is confidential to the PCT board, but the chair of the children's trust can confirm the decision "
    "and we can show it at the moderation meeting.",
)

EVIDENCE_ADDED = {  # what the authority added
    "leadership": (
        "Added the cabinet report and decision notice (January) and the PCT board minute adopting the strategy.",
        "Added the children's trust board minutes for June, September and December, with the commissioning "
        "sub-group's terms of reference.",
    ),
    "needs-assessment": (
        "Added the JSNA children's chapter (2010 refresh) and its data appendix, with the commissioning "
        "intentions that cite it.",
        "Added the SEND needs analysis (June) and the joint CAMHS needs analysis signed off by the PCT and the "
        "council in October.",
    ),
    "engagement": (
        "Added the young commissioners' report on the youth offer tender and the evaluation of the short breaks "
        "consultation.",
        "Added the 'you said, we did' newsletter sent to parents in the spring and the parent carer forum's "
        "minutes.",
    ),
    "resources": (
        "Added the signed section 75 agreement with schedules 1 to 4, and the pooled budget board's reports for "
        "quarters 2 and 3.",
        "Added the joint resource map of council, PCT and schools forum spending for 2010-11.",
    ),
    "market": (
        "Added the placement sufficiency strategy, the demand analysis and the cost comparison of in-house and "
        "agency foster care.",
        "Added the market position statement and the notes of the provider forums in March and October.",
    ),
    "procurement": (
        "Added the contract monitoring reports for the family support and young carers contracts, with their "
        "action logs.",
        "Added the procurement plan and the contracts register with review dates.",
    ),
    "performance": (
        "Added the outcomes framework and the quarter 3 scorecard as presented to the children's trust board.",
        "Added the service review of the detached youth work contract and the board's decision on it.",
    ),
    "workforce": (
        "Added the commissioning skills audit (September) and the commissioning team's training records.",
        "Added the joint commissioning team's structure chart and the recruitment plan for the vacant post.",
    ),
}

COMMENTS = {  # the champion's comment on a standard
    "leadership": (
        "Strong commitment from the lead member. The next step is the PCT board adopting the strategy formally, so "
        "that every partner owns it.",
        "Governance is clear. The minutes would be better evidence if they recorded each decision and its owner.",
    ),
    "needs-assessment": (
        "A thorough JSNA chapter. Linking each commissioning intention to the need it answers would make the "
        "golden thread visible.",
        "The analysis of placement need is one of the best seen this year: worth sharing with statistical "
        "neighbours.",
    ),
    "engagement": (
        "Participation is well led; the gap is showing what changed as a result. A short 'you said, we did' after "
        "each tender would close it.",
        "Good to see young people on tender panels. Consider paying them for their time, as the guidance suggests.",
    ),
    "resources": (
        "The pooled budget works well for equipment. Extending it to CAMHS tier 2 and speech and language therapy, "
        "as planned, would be the big step.",
        "The value for money analysis is thin: the early intervention grant allocations would gain from a review "
        "of what each service achieves.",
    ),
    "market": (
        "Sufficiency is the main risk, with agency placements rising. The market position statement should go to "
        "providers with the demand forecast.",
        "Good relationships with local voluntary providers of short breaks; the framework agreement is a model "
        "others could use.",
    ),
    "procurement": (
        "Procurement is compliant. Contract monitoring needs to move from activity counts to outcomes, starting "
        "with the largest contracts.",
        "The waiver extensions should be reviewed before renewal: the plan has the dates but not the decisions.",
    ),
    "performance": (
        "The scorecard is thorough but long; a shorter set of outcome measures for the board would focus the "
        "discussion.",
        "The decommissioning of the detached youth work contract was handled well and is good evidence of review "
        "working.",
    ),
    "workforce": (
        "Capacity is stretched: the vacant post matters to the pace of the CAMHS recommissioning.",
        "Joint training with providers was planned; doing it would strengthen the contract management "
        "relationship.",
    ),
}

RETURN_REASONS = (
    "The evidence notes for the procurement and contracting standards (P1 to P3) are missing: please attach the "
    "contract monitoring reports and resubmit.",
    "Mandatory criteria are rated at their minimum with no evidence attached (L1.1, R2.1). Please add the section "
    "75 agreement and the minutes adopting the joint commissioning strategy.",
    "The self-assessment was submitted before the PCT had agreed it. Please take it to the children's trust board "
    "and resubmit with the minute.",
    "The ratings for market management contradict the sufficiency strategy attached, which reports a shortfall of "
    "foster placements. Please review them with the placements team.",
    "The workforce standards were answered for the council only; the criteria ask about the joint commissioning "
    "workforce with health partners. Please revisit W1 to W3.",
    "Submitted before the director signed it off, as the authority told us by email: returned so that it can be "
    "completed.",
)
