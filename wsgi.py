from trial import create_app
from trial.questionnaires_web import load_instrument_texts

app = create_app()
load_instrument_texts(app)  # a licensed wording pack that does not match its instrument stops start-up here
