"""Word lists used by the offline summariser (small, hand-made, English).

Everything here is data: no logic beyond building frozensets. All lists are compared
lower-case unless their name says otherwise.
"""

from __future__ import annotations


def words(spaced: str) -> frozenset[str]:
    """A frozenset of the whitespace-separated words of ``spaced``."""
    return frozenset(spaced.split())


# Function words and very common verbs: ignored for centrality and overlap.
STOPWORDS = words(
    """
    a an the and or but if of to in on at for with by from as into onto upon over under about
    after before since until while during between among through against without within than
    then so too very just also only even still yet not no nor is are was were be been being
    am it its it's this that these those there here he she they we you i his her hers their
    theirs our ours your yours my me him them us who whom whose which what when where why how
    has have had having do does did doing will would could should may might can must shall
    said says say saying told tell tells one two three all any some each every both either
    neither other another such more most much many few less least own same up down out off
    again further once new also like well back now last first year years time mr mrs ms
    """
)

# Words that often open a sentence with a capital letter but are never names.
COMMON_CAPITALISED = STOPWORDS | words(
    """
    however meanwhile although though because despite whether after before according
    earlier later today yesterday tomorrow tonight recently currently instead indeed
    moreover furthermore nevertheless nonetheless therefore thus hence also still yet
    officials analysts experts critics sources witnesses residents police authorities
    government governments forces troops military security defence defense attacks attack
    those these this that there their they while when where what why who how some many
    most several both all each every few none other others such another it its our we
    if as at in on for from by with about against among between during without within
    efforts aircraft military regional western eastern northern southern humanitarian
    coordination topics world news home share advertisement related comments video photo
    photos image images picture pictures caption credit copyright subscribe sign newsletter
    read more click scroll follow watch listen live update updated published breaking
    exclusive opinion analysis comment editorial sport sports business politics
    """
)

MONTHS_DAYS = words(
    """
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday
    friday saturday sunday mon tue tues wed thu thur thurs fri sat sun christmas easter
    ramadan eid
    """
)

# Boilerplate single-line labels at the edges of web articles.
JUNK = words(
    """
    topics topic world news home share advertisement advert related more tags tag
    comments video photo photos image images gallery subscribe newsletter menu search
    sections section contents latest trending popular
    """
)

# Capitalised abbreviations that are not organisations.
NOT_ACRONYMS = words("OK TV AM PM CEO MP MPs GP DJ VIP UFO DNA CCTV GPS PR HQ ID PhD BC AD NB")

# Abbreviated honorifics and ranks, as written (case matters): "Gen. Smith" is one name.
TITLE_ABBREVIATIONS = words("Mr Mrs Ms Dr Gen Lt Col Sgt Capt Prof")

# Titles and offices stripped from a person's name into the role.
TITLES = words(
    """
    president vice prime minister ministers secretary chancellor premier king queen prince
    princess crown emperor sultan emir sheikh shaikh ayatollah pope cardinal archbishop
    bishop rev reverend imam rabbi general gen lieutenant lt colonel col major maj captain
    capt sergeant sgt corporal cpl admiral adm commander cmdr brigadier marshal field chief
    deputy foreign defence defense interior finance home health justice trade economy energy
    education senior acting former ambassador envoy special representative spokesman
    spokeswoman spokesperson senator sen rep representative congressman congresswoman
    governor gov mayor judge justice attorney prosecutor director head leader chairman
    chairwoman chair ceo chief executive founder mr mrs ms miss dr prof professor sir lord
    lady dame baroness baron mp mep councillor commissioner inspector superintendent
    detective officer agent coach manager striker defender midfielder goalkeeper captain
    boss actress actor singer star analyst economist historian veteran state federal
    opposition shadow party labour conservative republican democrat democratic socialist
    """
)

# Head words that make a capitalised phrase an organisation.
ORG_HEADS = words(
    """
    ministry department council party parliament congress senate assembly commission
    committee agency bank court tribunal union organisation organization association
    institute institution university college school academy company corporation corp inc
    ltd plc group office authority service services bureau board foundation fund trust
    federation confederation league alliance coalition network club fc society church
    movement front corps navy police guard cabinet government administration secretariat
    programme program initiative centre center observatory watch international airlines
    airways railways press times post herald journal tribune news media channel
    television radio company firm holdings industries partners capital courts
    ministries councils parties agencies banks unions forces united city rovers athletic
    online daily magazine record records awards festival cup championship games olympics
    """
)

# Head words that make a capitalised phrase an armed group.
ARMED_HEADS = words(
    """
    brigade brigades militia militias battalion battalions army rebels insurgents
    mujahideen jihad fighters commandos regiment division legion tigers
    """
)

# A demonym followed by one of these is the state acting ("Syrian authorities").
STATE_NOUNS = words(
    """
    authorities authority government governments officials official forces force troops
    military army navy air jets warplanes aircraft drones ministry ministers minister
    president prime leadership leaders leader diplomats diplomat embassy police
    intelligence security regime administration counterparts negotiators envoy defence
    defense foreign state
    """
)

# Place words: a capitalised phrase ending in one of these is a place, not an actor.
PLACE_HEADS = words(
    """
    street road avenue square park valley river sea ocean lake mountain mountains hills
    island islands bay coast gulf strait peninsula desert region province county district
    city town village airport port harbour harbor station bridge border crossing camp
    stadium arena hall hospital hotel palace tower building centre center east west north
    south middle heights plain plains basin delta canal
    """
)

# --- assessment -------------------------------------------------------------------------

# Who judges: nouns for the sources of an assessment.
ASSESSORS = words(
    """
    analyst analysts expert experts specialist specialists observer observers official
    officials diplomat diplomats commentator commentators critic critics scholar scholars
    researcher researchers economist economists historian historians strategist strategists
    planners planner sources source experts' governments government spokesman spokeswoman
    spokesperson minister ministers commander commanders
    """
)

# Verbs of judgement and attribution.
JUDGEMENT_VERBS = words(
    """
    say says said note notes noted warn warns warned argue argues argued believe believes
    believed assess assesses assessed judge judges judged describe describes described
    suggest suggests suggested contend contends contended caution cautions cautioned
    stress stresses stressed emphasise emphasised emphasize emphasized underscore
    underscores underscored insist insists insisted acknowledge acknowledged concede
    conceded counter counters countered maintain maintains maintained predict predicts
    predicted estimate estimates estimated conclude concludes concluded reflects reflect
    signals signalling signaling shows show indicates indicate
    """
)

# Evaluative words: a sentence that judges rather than reports.
EVALUATIVE = words(
    """
    significant significance signal signalling signaling reflects reflect underscores
    underscored demonstrates shows suggests indicates symbolic limited broader strategy
    strategic effectiveness effective ineffective concern concerns concerned credibility
    commitment deterrent deterrence designed aimed intended relies linked because
    persistence undermine undermines stability instability important importance central
    failure success successful unlikely likely lagged questions question
    """
)

# Hedging lowers confidence; definite markers raise it.
HEDGES = words(
    """
    may might could perhaps possibly possible potentially unclear uncertain appears appear
    seems seem suggest suggests suggested likely unlikely reportedly allegedly believed
    estimated questions question whether if speculate speculation unconfirmed
    """
)
DEFINITE = words(
    """
    will confirmed clearly certainly definitely undoubtedly remains continues demonstrated
    showed shows proved established
    """
)

# --- risks ------------------------------------------------------------------------------

RISK_CUES = words(
    """
    risk risks risking threat threats threaten threatens threatened warn warns warned
    warning warnings fear fears feared concern concerns worry worries worried danger
    dangers dangerous could may might resurgence regroup regain escalation escalate
    escalating destabilise destabilize instability vulnerable vulnerability hamper
    hampers undermine undermines spillover spill collapse crisis retaliation retaliate
    potential possible possibly likely unlikely expected prevent exploit exploiting
    jeopardise jeopardize complicate complicating
    """
)

# Modality → likelihood.
LIKELY_HIGH = words("will won't certain inevitable imminent")
LIKELY_MEDIUM = words("likely could would can probably risk risks threatens threaten")
LIKELY_LOW = words("might may possible possibly unlikely potential potentially perhaps")

# Severity → impact.
IMPACT_HIGH = words(
    """
    death deaths dead kill killed killing killings casualties massacre war wars attack
    attacks bombing bombings terrorism terrorist collapse famine genocide nuclear invasion
    escalation catastrophic catastrophe resurgence regroup insurgency violence
    violent conflict offensive massacre starvation epidemic pandemic malnutrition
    abducted abduction abductions kidnapped kidnapping kidnappings hostage hostages
    """
)
IMPACT_MEDIUM = words(
    """
    instability insecurity unrest protests protest sanctions disruption disrupt damage
    displacement refugees shortage shortages recession inflation default debt crisis
    tension tensions clashes clash regain hamper hampers aid delivery insecurity
    reconstruction complicate complicating undermine stability security economic
    prices price emergency shortfall outage outages blackout blackouts
    """
)

# --- self-contained lines ---------------------------------------------------------------

# A line opening with one of these refers to something outside it ("Its presence...",
# "They also...", "Such strikes...", "Both governments...") and cannot stand alone.
DANGLING = words(
    """
    it its it's itself they them their theirs themselves this these those that such he she
    his her hers him himself herself we our ours us i my me you your which who whom whose
    where whereby both either neither another former latter same
    """
)

# Conjunctions that may open a clause or a sentence; stripped before the first-word check.
LEADING_CONJUNCTIONS = words("and but yet so or nor while whereas although though however")

# Lower-case words that can open a self-contained clause (a subject noun phrase follows).
SUBJECT_OPENERS = words(
    """
    the a an there some many most several no any all each every few much more less
    without
    """
)
