CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    telegram_id   BIGINT UNIQUE,
    created_at    BIGINT NOT NULL
);
