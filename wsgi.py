from trial import create_app

app = create_app()
