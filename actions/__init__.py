"""rasa-sdk custom actions, one module per journey."""
