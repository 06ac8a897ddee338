"""Slot names as constants, so a misspelt name fails at import rather than silently."""

LANGUAGE = "language"
CHANNEL = "channel"
COUNCIL_NAME = "council_name"
COUNCIL_PHONE = "council_phone"
COUNCIL_PHONE_SPOKEN = "council_phone_spoken"
COUNCIL_HOURS = "council_hours"
# The council's own examples for asking for a place (kb/councils/<slug>/profile.yml)
EXAMPLE_POSTCODE = "example_postcode"
EXAMPLE_PLACE = "example_place"
EXAMPLE_LIBRARY = "example_library"
EXAMPLE_ADDRESS = "example_address"
SESSION_STARTED_METADATA = "session_started_metadata"
REQUESTED_SLOT = "requested_slot"
FORM_STOP_CONFIRM = "form_stop_confirm"
# A form paused by a digression (actions/common/digression.py)
FORM_RESUME_CONFIRM = "form_resume_confirm"
FORM_DANGER_CHECK = "form_danger_check"
FORM_PENDING_SLOT = "form_pending_slot"
FORM_URGENT_TEXT = "form_urgent_text"
FORM_TASK = "form_task"

# Report a street problem
PROBLEM_TYPE = "problem_type"
PROBLEM_LABEL = "problem_label"
PROBLEM_TYPE_IN_WORDS = "problem_type_in_words"
LOCATION = "location"
LOCATION_POSTCODE = "location_postcode"
LOCATION_LAT = "location_lat"
LOCATION_LONG = "location_long"
LOCATION_ATTEMPTS = "location_attempts"
DUPLICATE_OF = "duplicate_of"
DUPLICATE_DISTANCE = "duplicate_distance"
FOLLOW_EXISTING = "follow_existing"
DESCRIPTION = "description"
DANGEROUS = "dangerous"
CONTACT_CONSENT = "contact_consent"
CONTACT = "contact"
CONTACT_EMAIL = "contact_email"
CONTACT_PHONE = "contact_phone"
CONFIRM_REPORT = "confirm_report"
CHANGE_FIELD = "change_field"
REPORT_REFERENCE = "report_reference"

# The questions about a problem are slots too, named in kb/report_questions.yml.
REPORT_FORM_SLOTS = (
    PROBLEM_TYPE, PROBLEM_LABEL, PROBLEM_TYPE_IN_WORDS, LOCATION, LOCATION_POSTCODE,
    LOCATION_LAT, LOCATION_LONG, LOCATION_ATTEMPTS, DUPLICATE_OF, DUPLICATE_DISTANCE,
    FOLLOW_EXISTING, DESCRIPTION, DANGEROUS, CONTACT_CONSENT, CONTACT, CONTACT_EMAIL,
    CONTACT_PHONE, CONFIRM_REPORT, CHANGE_FIELD,
)  # fmt: skip

# Check a report's status
STATUS_REFERENCE = "status_reference"
STATUS_ATTEMPTS = "status_attempts"
STATUS_NOTES = "status_notes"
STATUS_SERVICE = "status_service"

# Hand-off to a person
HANDOFF_NEED = "handoff_need"
HANDOFF_CONSENT = "handoff_consent"
HANDOFF_NAME = "handoff_name"
HANDOFF_CONTACT = "handoff_contact"
HANDOFF_PHONE = "handoff_phone"
HANDOFF_EMAIL = "handoff_email"
HANDOFF_PREFERRED = "handoff_preferred"
# No phone or e-mail (issue #16 item 5): post, "I'll call in", or through the library.
HANDOFF_NO_PHONE = "handoff_no_phone"
HANDOFF_METHOD = "handoff_method"
HANDOFF_ADDRESS = "handoff_address"
TRIAGE_REFERENCE = "triage_reference"
TRIAGE_URGENT = "triage_urgent"
RESPONSE_TIME = "response_time"

HANDOFF_FORM_SLOTS = (
    HANDOFF_NEED, HANDOFF_CONSENT, HANDOFF_NAME, HANDOFF_CONTACT, HANDOFF_PHONE,
    HANDOFF_EMAIL, HANDOFF_PREFERRED, HANDOFF_NO_PHONE, HANDOFF_METHOD, HANDOFF_ADDRESS,
)  # fmt: skip

# Find a place and book a public PC (issue #5)
PLACE_POSTCODE = "place_postcode"
PLACES_LISTED = "places_listed"
BOOK_PLACE = "book_place"
BOOK_PLACE_NAME = "book_place_name"
BOOK_DATE = "book_date"
BOOK_TIME = "book_time"
BOOK_MINUTES = "book_minutes"
BOOKING_REFERENCE = "booking_reference"
# Council tax
CT_ACCOUNT_REFERENCE = "ct_account_reference"
CT_POSTCODE = "ct_postcode"
CT_SURNAME = "ct_surname"
CT_CONFIRM = "ct_confirm"
CT_ALONE_SINCE = "ct_alone_since"
CT_MOVING_DATE = "ct_moving_date"
CT_NEW_ADDRESS = "ct_new_address"
CT_VERIFIED = "ct_verified"
CT_VERIFIED_AT = "ct_verified_at"
CT_STOPPED = "ct_stopped"
CT_FAILURES = "ct_failures"
CT_BALANCE = "ct_balance"
CT_BAND = "ct_band"
CT_NEXT_DATE = "ct_next_date"
CT_NEXT_AMOUNT = "ct_next_amount"
CT_CASE_REFERENCE = "ct_case_reference"
CT_CASE_REFERENCE_SPOKEN = "ct_case_reference_spoken"

# Broadband vouchers
BB_APPLICANT = "bb_applicant"
BB_STAFF = "bb_staff"
BB_POSTCODE = "bb_postcode"
BB_SPEED = "bb_speed"
BB_BUILD_PLANNED = "bb_build_planned"
BB_BUSINESS_NAME = "bb_business_name"
BB_CONFIRM = "bb_confirm"
BB_OUTCOME = "bb_outcome"
BB_REFERENCE = "bb_reference"

BROADBAND_FORM_SLOTS = (
    BB_APPLICANT, BB_STAFF, BB_POSTCODE, BB_SPEED, BB_BUILD_PLANNED, BB_BUSINESS_NAME,
    BB_CONFIRM, BB_OUTCOME,
)  # fmt: skip

# Digital skills (issue #4): the self-check's answers are the slots named in
# kb/facts/digital_skills.yml; this one carries the skills still to learn.
SKILLS_TO_LEARN = "skills_to_learn"

# Signposts (issue #14): the last topic signposted and what the resident was told
SIGNPOST_TOPIC = "signpost_topic"
SIGNPOST_LINK = "signpost_link"
SIGNPOST_PHONE = "signpost_phone"
SIGNPOST_PHONE_SPOKEN = "signpost_phone_spoken"
SIGNPOST_HOURS = "signpost_hours"

# Remembering what the resident said (issue #16 items 3 and 9)
LOCATION_GUESS = "location_guess"
CONTACT_OFFERED = "contact_offered"
PENDING_REQUEST = "pending_request"

# Conversation repair (issue #16): "I don't know" and a person after two misses
# (actions/common/form_skip.py)
FORM_MISSES = "form_misses"
FORM_OFFER_PERSON = "form_offer_person"
BOOK_CONFIRM = "book_confirm"
CANCEL_BOOKING = "cancel_booking"
CANCEL_CONFIRM = "cancel_confirm"
BOOK_OFFER = "book_offer"
