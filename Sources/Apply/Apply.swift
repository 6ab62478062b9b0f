// Module Apply.
