-- Users and the translations table every translated field points into (as in addons-server:
-- a translated column holds a translation id; one row per (id, locale)).

CREATE TABLE translations (
  autoid INT UNSIGNED NOT NULL AUTO_INCREMENT,
  id INT UNSIGNED NOT NULL,
  locale VARCHAR(10) NOT NULL,
  localized_string LONGTEXT NULL,
  localized_string_clean LONGTEXT NULL,
  created DATETIME(6) NOT NULL,
  modified DATETIME(6) NOT NULL,
  PRIMARY KEY (autoid),
  UNIQUE KEY translations_id_locale (id, locale)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE users (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  username VARCHAR(255) NOT NULL,
  display_name VARCHAR(50) NULL,
  email VARCHAR(75) NULL,
  biography LONGTEXT NULL,
  homepage VARCHAR(255) NOT NULL DEFAULT '',
  location VARCHAR(255) NOT NULL DEFAULT '',
  is_staff TINYINT(1) NOT NULL DEFAULT 0,
  deleted TINYINT(1) NOT NULL DEFAULT 0,
  last_login DATETIME(6) NULL,
  created DATETIME(6) NOT NULL,
  modified DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY users_username (username),
  UNIQUE KEY users_email (email),
  KEY users_created (created)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
