"""Facts about the platform: the distribution catalogue, standard-library modules, the requirements reader."""
