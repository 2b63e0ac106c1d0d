## The languages by their own names (the same in every catalogue).
lang-name-zh-CN = 中文
lang-name-en = English
