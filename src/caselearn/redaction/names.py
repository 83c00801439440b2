"""Offline word lists for the redaction detector.

The first-name list covers common given names in the UK across ages (people born from the
1940s to the 2020s) and backgrounds (English, Scottish, Welsh, Irish, South Asian, African,
Caribbean, Eastern European, Middle Eastern, East Asian). The surname list holds common UK
surnames. Neither list is complete: the detector also relies on titles, context cues and the
propagation of names already found in the same text.
"""

from __future__ import annotations


def _words(block: str) -> frozenset[str]:
    return frozenset(w.strip().lower() for w in block.split() if w.strip())


FIRST_NAMES = _words(
    """
    aaliyah aaron abbie abby abdul abdullah abena abigail abu ada adam adaeze adele adeola
    adrian agnes agnieszka ahmad ahmed aidan aiden ailsa aimee ainsley aisha aisling aitana
    ajay akash alan alana alasdair alastair albert aled alesha alex alexa alexander
    alexandra alexis alfie alfred ali alice alicia alisha alison alistair allan alys amanda
    amani amara amber amelia amelie ami amina amir amira amit amna amy ana andre andrea
    andreea andrew andrzej andy aneesa angela angharad angus anil anita anja ann anna
    annabel anne annie anthony antoni antonia antony anwar april archie aria ariana arjun
    arlo arran arthur arun asha ashley ashton asif aslam asma aston aurora austin ava avery
    ayaan ayan ayesha aysha ayla ayo azra bailey barbara barry bartosz basia beatrice becky
    belinda bella ben benjamin bernadette bernard beth bethan bethany betty beverley bilal
    bill billy blessing blake bobby bogdan bonnie brandon brendan brenda brian bridget
    brodie bronwen brooke bruce bryony caitlin caitlyn calum callum calvin cameron camilla
    cara carl carla carly carmen carol caroline carolyn carrie casey catherine cathy cerys
    chantelle charlene charles charlie charlotte chelsea cheryl chidi chiamaka chinedu chloe
    chris christian christina christine christopher chukwuemeka ciara ciaran claire clara
    clare claudia cody colin connor conor craig cristina crystal cyril daisy dafydd dale
    damian damien dan dana daniel daniela danielle danny darius darren darryl dave david
    dawid dawn dean debbie deborah declan dee deepak demi denise dennis derek desmond
    destiny dev dexter diana diane dionne dominic donald donna dorothy douglas duncan dylan
    ebony eddie edward efe eileen eilidh elaine eleanor elena eli elijah elin elise eliza
    elizabeth ella elle ellen ellie ellis elliot elliott eloise elsie emeka emil emilia
    emily emma emmanuel eric erin esme esther ethan eugene eva evan eve evelyn evie ewan
    faisal faith farah farhan fatima fatuma fay faye felix ffion finlay finley finn fiona
    florence frances francesca francis frank frankie fraser freddie frederick freya gabriel
    gabriela gareth garry gary gavin gemma george georgia georgina geraint gerald gethin
    gillian gina glen glenn gloria gordon grace graeme graham grant greg gregor gregory
    gurpreet gwen gwyneth hadiza hafsa hailey haleema hamish hamza hana hannah harley harlow
    harmony harper harpreet harriet harris harrison harry harvey hassan hayden hayley hazel
    heather hector heidi helen helena henry hollie holly hope hugh hugo hussain iain ian
    ibrahim idris ifeoma igor iman imogen imran ioana iqbal irene iris isaac isabel isabella
    isabelle isaiah isha ishaan isla ismail ivan ivy izzy jack jackie jackson jacob
    jacqueline jade jai jake jakub jamal james jamie jan jane janet janice jasmine jason
    jaspreet javed jay jayden jayne jean jeanette jemma jenna jennifer jenny jeremy jess
    jessica jill jim jimmy joan joanna joanne jodie joe joel john johnny jon jonathan jordan
    jose joseph josephine josh joshua joy joyce judith judy julia julian julie june justin
    kacper kai kaiden kamal kamran karen karim karina karl kasia kate katherine kathleen
    kathryn katie katrina kay kayden kayla kayleigh keira keith kelly kelsey ken kenneth
    kerry kevin khadija kian kieran kim kimberley kirsty kirsten kofi krystal krzysztof kyle
    kyra lacey laila lana lara laura lauren lawrence layla leah lee leigh leila lena leo
    leon leonard leslie levi lewis lexi lexie liam libby lila lily lincoln linda lindsay
    lindsey lisa logan lola lorna lorraine louie louis louise lucas lucia lucy luis luke
    lydia lynn lynne mackenzie madison mae maisie maja malcolm mandeep mandy manpreet marcus
    margaret maria mariam marie marina mark marlon marta martha martin martyn mary mason
    matilda matthew maureen max maxine maya megan mehmet melanie melissa mercy mia michael
    michaela michal michelle mihaela miles millie mohamed mohammad mohammed moira molly mona
    monica morag morgan muhammad mustafa nadia naomi nasir natalia natalie natasha nathan
    neil nell niamh nicholas nicky nicola nicole nigel nikita nikola nina nisha nkechi noah
    noel nora norman nuala obinna oliver olivia olga oliwia olu omar oscar owen paige pamela
    paris patricia patrick paul paula pauline pawel penelope penny peter petra phil philip
    phoebe piotr pippa poppy priya rachael rachel rahul raj rajesh ralph rana raymond
    rebecca reece rees reggie rhian rhiannon rhona rhys ricardo richard rick ricky riley
    rita rob robbie robert robin robyn rory rosa rosalind rose rosemary rosie ross rowan
    roxanne roy ruby rukhsana ruth ryan sabrina sadia sai saira sajid sally sam samantha
    sami samir samuel sandra sanjay sara sarah sasha saul scarlett scott sean sebastian
    seren shabana shahid shakira shane shannon sharon shaun shauna sheila shelby shirley
    shona shreya siddharth simon simone sinead siobhan skye sofia sonia sophia sophie stacey
    stanley stefan stella stephanie stephen steve steven stewart stuart sue summer sunita
    susan suzanne sylvia tahir tamara tanya tara tariq tasha ted teresa teri terry tess thea
    theo theodore theresa thomas tim timothy tina toby tom tomasz tommy toni tony tracey
    tracy travis trevor tristan troy tyler una uzma valerie vanessa vera veronica victor
    victoria vikram vincent violet vivienne wanda warren wayne wendy wesley wiktoria will
    william willow wojciech xavier yasmin yasmine yousef yusuf yvonne zac zach zachary zain
    zainab zak zara zoe zofia zuzanna
    """
)

# More given names, added as a separate block for readability: Polish, Romanian, Baltic and
# Ukrainian; Turkish, Somali, Arabic and South Asian; West and Southern African; Irish, Welsh
# and Gaelic; names common among older adults; and names popular for children since 2010.
FIRST_NAMES = FIRST_NAMES | _words(
    """
    jo al ed di nat nathaniel marek ola ewa magda magdalena katarzyna monika beata dorota
    lukasz mateusz kamil szymon oskar filip maciej radu andrei ionut cristian alina vasile
    mihai aurelia agata aleksandra dominika anastasia olena oksana yulia irina svetlana
    dmitri sergei viktor yuri ahmet emre fatma zeynep leyla hussein mahmoud abdullahi
    abdirahman hodan fadumo hawa khalid rashid nadeem naveed waqar usman umar zubair adnan
    shazia nasreen parveen shamima jasmin nusrat tahmina rubina salma sultana rehana ravi
    vijay suresh ramesh meera anjali deepa kiran neha pooja rohan aarav aditya krish simran
    navdeep kuldip balwinder sukhwinder amrit hardeep rajinder jasvir tejinder inderjit
    paramjit gurdeep baljit kwabena kojo yaw ama akua efua adwoa chukwudi ngozi chioma tunde
    femi bola funmi yemi tolu segun kemi bukola abimbola olumide temi jide ade wale chinwe
    uche obi ikenna tendai tatenda farai rudo tinashe nyasha mandla thabo sipho lerato
    zanele cillian oisin padraig aoife caoimhe saoirse roisin grainne eoin cormac ronan
    fergus fionn seamus dermot mairead orla clodagh niall iwan ieuan osian cai gruffydd ifan
    tomos elis carys catrin manon lowri nia sioned eleri mali mhairi catriona morven iona
    fenella ishbel ruaridh ruairidh euan lachlan struan murdo innes leanne kieron mick mike
    pete paddy kev doris edna ethel mabel winifred gladys hilda maud beryl pat peggy
    marjorie muriel norma audrey harold walter ernest fred sidney ronald clive nova luna
    mila aria maeve sienna ottilie margot elodie ezra oakley ronnie teddy albie reuben jude
    otis hudson ollie zayn musa yahya zakariya isa maryam inaya aleena anaya aliyah hanna
    """
)

# Given names that are also ordinary English words, months or colours. On their own they
# need a context cue; followed by a surname they still count.
AMBIGUOUS_FIRST_NAMES = _words(
    """
    amber april august autumn blessing bill bonnie brook brooke crystal dawn destiny faith
    frank glen grace grant harmony hazel heather holly hope iris ivy jack jay joy june
    justice lily may mercy miles nell paris patience penny reggie rich rob robin rose rowan
    ruby sage skye sky summer sunny victor violet will willow winter
    """
)

SURNAMES = _words(
    """
    abbott adams ahmed ali allan allen anderson armstrong atkinson bailey baker ball barker
    barr baxter begum bell bennett black boyle brennan brown bruce buchanan burns butler
    byrne cameron campbell carr carroll carter chen clark clarke cole collins connolly cook
    cooper cox craig crawford cunningham davidson davies davis devlin dixon docherty doherty
    donaldson donnelly doyle duffy duncan edwards ellis evans ferguson finlay fisher fleming
    fraser gallacher gibson gill gordon graham grant gray green griffiths hall hamilton
    harris harrison henderson hill hughes hunter hussain iqbal jackson james jenkins johnson
    johnston jones kaur kelly kennedy kerr khan king kowalski lee lewis lindsay lloyd lowe
    macdonald mackay mackenzie maclean macleod martin mcallister mccallum mcdonald mcgregor
    mcintyre mckay mckenzie mclaughlin mclean mcmillan miller millar mitchell moore morgan
    morris morrison murphy murray o'brien o'connor o'donnell o'neill owen owens parker
    paterson patel phillips pritchard quinn ramsay reid rees richards richardson robertson
    robinson rogers ross russell scott shah sharma simpson singh smith stewart sutherland
    taylor thomas thompson thomson turner walker wallace walsh ward watson watt white wilson
    wood wright young
    """
)

TITLES = _words(
    """
    mr mrs ms miss mx dr doctor prof professor sister nurse pc dc ds di dci dsi sgt sergeant
    inspector constable cllr councillor rev revd reverend sir dame lady lord
    """
)

# Words that describe a relationship or role; a name right after one of these (optionally
# after a comma or colon) is a person, e.g. "mother, Lorna Fenwick", "Mother: Nicole Reid".
ROLE_CUES = _words(
    """
    mother father mum mam dad mummy daddy stepfather stepmother stepdad stepmum partner
    ex-partner boyfriend girlfriend husband wife brother sister son daughter uncle aunt
    auntie cousin nephew niece grandmother grandfather gran granny grandma grandad grandpa
    nana grandparent carer carers neighbour friend teacher worker visitor nurse midwife
    officer manager reviewer doctor consultant registrar paediatrician solicitor tenant
    patient subject name parent parents brother-in-law sister-in-law mother-in-law
    father-in-law coordinator head perpetrator offender lodger child cpn gp clinician
    therapist psychologist psychiatrist counsellor keyworker lead supervisor chair source
    referrer caller landlord landlady stepbrother stepsister half-brother half-sister
    half-sibling sibling baby infant pupil student applicant claimant client witness suspect
    accused victim mgm mgf pgm pgf
    """
)

# Capitalised words that are never part of a personal name in these documents.
NON_NAME_WORDS = _words(
    """
    a about above after again against all also although am among an and another any are as
    at be because been before being below between both but by can could did do does doing
    down during each even every few for from further had has have having he her here hers
    herself him himself his how however i if in into is it its itself just me more most my
    myself no nor not now of off on once only or other our ours out over own same she should
    since so some such than that the their theirs them then there these they this those
    through to too under until up upon very was we were what when where whether which while
    who whom why with within without would yet you your yes none nobody everyone someone
    anyone following please note see per via re dear regards thanks thank monday tuesday
    wednesday thursday friday saturday sunday january february march july september october
    november december jan feb mar apr jun jul aug sep sept oct nov dec christmas easter
    mother father mum mam dad mummy daddy stepfather stepmother partner boyfriend girlfriend
    husband wife brother sister son daughter uncle aunt cousin grandmother grandfather gran
    granny grandad nana carer carers neighbour friend family families child children baby
    babies infant sibling siblings young person people youth adult adults parent parents
    kinship foster teacher worker workers visitor visiting nurse nursing midwife midwifery
    officer officers manager managers reviewer reviewers doctor consultant registrar
    paediatrician paediatrics solicitor tenant patient subject name named lead chair chairs
    head deputy depute senior principal assistant practitioner practitioners professional
    professionals specialist advisor adviser coordinator support social work health care
    police education housing services service team teams unit units committee committees
    council board boards partnership partnerships practice practices trust trusts hospital
    hospitals school schools academy nursery college university centre center clinic
    infirmary surgery ward office offices group groups division department commission
    inspectorate agency agencies authority government ministry panel review reviews report
    reports briefing case cases conference plan plans protection safeguarding procedure
    procedures guidance policy policies protocol framework model toolkit act law rule
    section paragraph appendix recommendation recommendations action actions finding
    findings theme themes learning summary analysis background introduction conclusion
    decision decisions status date dates address tel tel. telephone mobile phone email
    e-mail contact contacts dob born reference ref number id nhs chi gp cpc icr scr cspr
    lscp mash marac camhs north south east west northern southern eastern western central
    upper lower great new old royal general county city regional national local community
    public private scottish welsh english british irish scotland wales england ireland uk
    britain street road avenue drive crescent terrace gardens place wynd row grove brae
    square view gate walk rise mews parade quay house cottage farm lodge mansions flat
    apartment room floor block estate project hub aid fund foundation charity church mosque
    temple chapel library station airport prison sheriff procurator fiscal reporter hearing
    hearings crown home emergency accident ambulance fire rescue justice criminal civil
    legal primary secondary high junior special additional needs early years mental physical
    domestic abuse neglect substance alcohol drug drugs misuse sexual exploitation risk harm
    death injury injuries violence key next questions question reflection restricted
    official sensitive confidential draft final version copy classification circulation
    present apologies minutes item items agenda dr mr mrs ms miss mx prof sir dame lord lady
    st saint queen king prince princess duke
    """
)

# Words that end an organisation, service or place name. A run of capitalised words ending
# with one of these is not a personal name ("Kirkhill Primary School", "Police Scotland").
ORG_WORDS = _words(
    """
    committee council board partnership practice trust hospital school academy nursery
    college university centre center clinic infirmary surgery ward office division
    department commission inspectorate agency authority government service services team
    unit group project hub aid foundation charity church mosque temple chapel library
    station prison police scotland wales england ireland nhs law act rule scheme syndrome
    approach model framework toolkit procedure protocol review report programme program
    network forum association society institute federation alliance coalition company ltd
    llp plc limited arrangements initiative consortium collaborative taskforce club inc
    court sheriff fiscal reporter administration executive subgroup sub-group panel road
    street avenue crescent drive terrace gardens place wynd row grove brae square mews
    parade quay estate
    """
)

# Street-type words used after a street name ("Larchfield Crescent", "Mill Road").
STREET_SUFFIXES = _words(
    """
    road rd street st avenue ave crescent drive dr lane terrace gardens place court close
    way wynd row grove brae square park hill view gate walk rise green mews parade quay loan
    vennel circus quadrant boulevard embankment broadway causeway crossway gait path
    promenade wharf yard brow chase croft dale fold glade heights meadow meadows orchard
    vale
    """
)

# Street-type words used before a street name (Welsh and Gaelic forms).
STREET_PREFIXES = _words("heol ffordd lon lôn stryd rhodfa cilgant sràid rathad")

# Words naming a building when placed after a proper name ("Burnside House").
BUILDING_WORDS = _words(
    """
    house cottage cottages farm farmhouse lodge hall mansions villa manse schoolhouse mill
    court buildings tower towers chambers
    """
)

# Street names too generic to redact when they stand alone without a house number.
GENERIC_STREETS = _words("high main station church market mill park bridge king queen")

# Labels that stand in for children in published reviews; never redacted.
CHILD_LABEL_WORDS = _words("child baby infant sibling young yp person brother sister twin")
